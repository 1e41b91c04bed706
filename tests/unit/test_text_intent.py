import pytest

from pipeline.text.intent import is_acknowledgement, is_gibberish, is_question, is_request
from pipeline.text.replacement import parse_keyword_replacement


@pytest.mark.parametrize(
    "text",
    ["Thanks a lot!", "ok cool", "Great answer, thank you so much", "lol", "Hello there", "好的，谢谢",
     "你回答得太棒了", "收到", "That's really helpful"],
)
def test_acknowledgements(text: str) -> None:
    assert is_acknowledgement(text)


@pytest.mark.parametrize(
    "text",
    ["How far is Munich from Berlin", "Do you know my name?", "Can I bring my dog", "我住在哪里？",
     "这家店几点关门", "你觉得我应该去吗"],
)
def test_questions(text: str) -> None:
    assert is_question(text)


def test_statements_are_not_questions() -> None:
    assert not is_question("我什么都吃")
    assert not is_question("What I meant is that I live in Munich")
    assert not is_question("我现在不怎么玩王者了")
    assert is_question("这个怎么用")


def test_requests_and_gibberish() -> None:
    assert is_request("Book me a table for two tonight")
    assert is_request("帮我订一张去上海的机票")
    assert not is_request("Please remember that I'm vegan")
    assert is_gibberish("asdf qwer zxcv")
    assert is_gibberish("hjkl;hjkl")
    assert not is_gibberish("I live in Munich")


@pytest.mark.parametrize(
    ("feedback", "expected"),
    [
        ("Replace 'Project Falcon' with 'Project Osprey' in all memories.", ("Project Falcon", "Project Osprey")),
        ("Rename Ann to Anna everywhere.", ("Ann", "Anna")),
        ("Swap “oat milk” for “soy milk” everywhere", ("oat milk", "soy milk")),
        ("Please call Bob Robert from now on.", ("Bob", "Robert")),
        ("Globex should be Initech everywhere", ("Globex", "Initech")),
        ("Change 'NYC office' to 'New York office' in all my memories", ("NYC office", "New York office")),
        ("Substitute margarine for butter everywhere", ("butter", "margarine")),
        ("将「老张」统一替换为「张总」", ("老张", "张总")),
        ("把所有的北京都改成上海", ("北京", "上海")),
        ("用‘李经理’替换‘小李’", ("小李", "李经理")),
        ("小红改叫红红", ("小红", "红红")),
        ("Change my address to 5 Main St.", None),
        ("我的名字改成了李四", None),
        ("I switched to oat milk", None),
    ],
)
def test_keyword_replacement(feedback: str, expected: tuple[str, str] | None) -> None:
    assert parse_keyword_replacement(feedback) == expected


def test_telling_you_is_a_filler() -> None:
    from pipeline.text.fillers import strip_fillers

    assert strip_fillers("跟你说下，我搬到杭州了") == "我搬到杭州了"
    assert strip_fillers("跟你说一下，我搬到杭州了") == "我搬到杭州了"


def test_a_connective_opening_a_clause_is_no_part_of_its_fact() -> None:
    from pipeline.text.fillers import strip_fillers

    assert strip_fillers("所以星座其实是天蝎座") == "星座其实是天蝎座"
    assert strip_fillers("但是现在住在上海") == "现在住在上海"
    # "而且" adds to what was said: the clause keeps it.
    assert strip_fillers("而且是每周四") == "而且是每周四"
