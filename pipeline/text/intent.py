"""What kind of utterance a sentence is: acknowledgement, question, request, gibberish."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.text.fillers import without_emoji
from pipeline.text.language import has_cjk, is_cjk_char
from pipeline.text.lexicon import EN_STOPWORDS, en_words, english_vocabulary
from pipeline.text.sentences import split_clauses

_EN_ACK_PHRASES = re.compile(
    r"\b(?:thanks?(?:\s+(?:you|so\s+much|a\s+lot|a\s+ton|again))*|thank\s+you(?:\s+(?:so|very)\s+much)?|"
    r"thx|ty|tysm|cheers|appreciate(?:d)?(?:\s+it)?|much\s+appreciated|ok(?:ay)?|k|kk|cool|great|"
    r"nice|awesome|perfect|excellent|amazing|wonderful|fantastic|brilliant|sweet|neat|lol|lmao|"
    r"haha(?:ha)*|hehe|hmm+|uh+|um+|wow|yay|yes|yeah|yep|yup|sure|alright|all\s+right|fine|"
    r"got\s+it|i\s+see|understood|noted|makes\s+sense|sounds\s+good|good\s+job|well\s+done|"
    r"nice\s+work|great\s+job|good\s+to\s+know|no\s+problem|no\s+worries|np|"
    r"hi|hello|hey|hiya|yo|good\s+(?:morning|afternoon|evening|night)|bye|goodbye|see\s+you|"
    r"see\s+ya|later|have\s+a\s+(?:nice|good|great)\s+day|how\s+are\s+you(?:\s+doing)?|"
    r"(?:you(?:'re|\s+are)|your|youre)\s+(?:the\s+best|great|awesome|amazing|right|correct|a\s+star|helpful)|"
    r"(?:that|this|it)(?:'s|s|\s+is|\s+was)\s+(?:\w+\s+)?(?:right|correct|true|helpful|useful|great|"
    r"good|nice|perfect|awesome|amazing|fine|clear|interesting|cool|fun|funny|the\s+one)|"
    r"(?:exactly\s+|just\s+)?what\s+i\s+(?:needed|wanted|was\s+looking\s+for)|"
    r"exactly|correct|right|indeed|agreed|of\s+course|(?:you|u)\s+rock|love\s+it|"
    r"(?:that|this|it)\s+(?:helps|helped|works|worked)(?:\s+a\s+lot)?|"
    r"sup|wass?up|what'?s\s+up|how'?s\s+it\s+going|howdy|gm|gn|morning|evening|(?:any(?:one|body)|you|u)\s+there|"
    r"never\s?mind|nvm|forget\s+(?:it|about\s+it)|whatever|nothing|no\s+thanks|idk|omg|lmfao|rofl|xd|"
    r"test(?:ing)?)\b",
    re.IGNORECASE,
)
_EN_INTENSIFIERS = {
    "so", "very", "really", "much", "a", "lot", "again", "too", "that", "this", "it", "was",
    "is", "super", "quite", "indeed", "just", "oh", "ah", "well", "and", "man", "bro", "dude",
    "everyone", "all", "buddy", "friend", "there", "for", "the", "help", "your", "answer", "one",
    "job", "work", "stuff", "idea", "try", "explanation", "tip", "tips", "advice",
    "info", "information", "reply", "response", "you",
}
# Degree words before a judgement ("说得挺对的", "真有用").
_ZH_DEGREE = "(?:很|真|非常|太|挺|蛮|特别|超|相当)"
_ZH_ACK = re.compile(
    # Greetings, dismissals, chat slang and "测试" come first: "好家伙" is not "好" plus "家伙".
    r"在(?:吗|么|嘛|不在|不)|嗨|哈[喽啰]|早安|午安|算了|随便|不用了?|没事(?:了|儿)?|无所谓|没关系|罢了|"
    r"牛[逼批]|yyds|绝了|绝绝子|好家伙|笑死(?:我了|了)?|哇塞|6{3,}|测试(?:一下)?|"
    r"谢谢(?:你|您|啦|了)?|多谢|感谢(?:你|您)?|谢啦|辛苦(?:了|啦)?|好的?|好吧|行|可以|嗯+|哦+|噢|哈+|呵+|嘿+|"
    r"明白(?:了)?|知道(?:了)?|收到|了解(?:了)?|懂了|没问题|不错|太棒了|很棒|真棒|厉害|牛|赞|完美|对的?|是的|没错|"
    r"你好|您好|早上好|晚上好|下午好|晚安|再见|拜拜|回头见|你(?:说|讲|回答)得" + _ZH_DEGREE + r"?(?:好|对|棒|不错)(?:了|的)?|"
    r"我?(?:知道|明白|懂|了解|记下)(?:了|啦)?|有道理|说得(?:有|在)理|"
    + _ZH_DEGREE + r"有(?:帮助|用)(?:的)?|帮(?:了)?大忙|(?:说|讲)得" + _ZH_DEGREE + r"?(?:好|对|棒)(?:的)?|ok|OK|好极了|棒极了",
    re.IGNORECASE,
)
_ZH_FILLER = re.compile(r"[，,。.！!～~、\s啊呀啦吧哈呢嘛哦]|非常|真的|真|太|很|了|你|您")

_EN_WH_START = re.compile(
    r"^(?:what|what's|whats|when|where|where's|who|who's|whom|whose|which|why|how|how's)\b",
    re.IGNORECASE,
)
_EN_WH_STATEMENT = re.compile(r"^(?:what|where|when|how)\s+(?:i|my)\b", re.IGNORECASE)
# Before a gerund or a subject, "when"/"where" open an adverbial clause ("when booking flights, …",
# "when we travel, …"), not a question ("when is …", "where do …").
_EN_TIME_PLACE_CLAUSE = re.compile(
    r"^(?:when|where)\s+(?:\w+ing|we|you|he|she|they|it|our|his|her|their)\b", re.IGNORECASE
)
_EN_AUX_START = re.compile(
    r"^(?:do|does|did|is|are|was|were|am|can|could|would|will|should|shall|may|might|have|has|"
    r"had|isn't|aren't|don't|doesn't|didn't|won't|can't|wouldn't|shouldn't)\s+"
    r"(?:i|you|we|he|she|it|they|there|the|this|that|my|your|our|a|an)\b",
    re.IGNORECASE,
)
# Question words whose answer is a value (a place, a time, a thing, a person), not yes or no.
_ZH_VALUE_QUESTION_WORDS = r"多少|哪里|哪儿|哪个|哪些|哪家|哪天|几点|几个|几天|几岁|什么(?![都也])|谁(?![都也])"
_ZH_QUESTION_WORDS = re.compile(
    # "不怎么玩了" is "hardly plays any more": 怎么 after 不 asks nothing.
    r"(?<!不)(?:怎么样|怎样|怎么)|为什么|为何|是不是|有没有|能不能|可不可以|会不会|要不要|对不对|好不好|行不行|是否|"
    + _ZH_VALUE_QUESTION_WORDS
)
_ZH_VALUE_QUESTION = re.compile(_ZH_VALUE_QUESTION_WORDS)
# 呢 and 嘛 end statements as often as questions ("现在开出租车呢", "是8点嘛"): without a question
# word they ask nothing.
_ZH_QUESTION_END = re.compile(r"(?:吗|么|吧\s*[?？])\s*[。.!！~～]*\s*$")

_EN_REQUEST_START = re.compile(
    r"^(?:please\s+|pls\s+|plz\s+|kindly\s+)?(?:help|book|find|show|tell|give|make|plan|write|"
    r"send|search|look\s+up|check|open|play|translate|summari[sz]e|explain|list|recommend|"
    r"suggest|draft|create|generate|compose|calculate|compute|schedule|order|buy|get\s+me|"
    r"let's|lets|can\s+you|could\s+you|would\s+you|will\s+you|i\s+want\s+you\s+to|"
    r"i\s+need\s+you\s+to|i'd\s+like\s+you\s+to|remind\s+me|"
    r"(?:do\s+not|don't|never|stop|please\s+stop|please\s+don't)\s+(?:recommend|suggest|show|send|book|give|offer|"
    r"remind|ask|mention|recommending|suggesting|showing|sending|booking|offering|asking|mentioning))\b",
    re.IGNORECASE,
)
_EN_REQUEST_ANYWHERE = re.compile(
    r"\b(?:help\s+me|can\s+you|could\s+you|please\s+(?:help|book|find|plan|show|tell|give|send))\b",
    re.IGNORECASE,
)
# Remarks about the assistant itself ("You're pretty funny for a bot", "你真逗"): small talk.
_EN_ABOUT_ASSISTANT = re.compile(
    r"^(?:you(?:\s+are|'re|\s+were|\s+have\s+been|'ve\s+been|\s+seem|\s+sound|\s+must\s+be)|"
    r"(?:that|this)\s+(?:is|was)\s+(?:a\s+)?(?:good|nice|funny|great|bad)\s+(?:one|joke)|"
    r"(?:you|u)\s+(?:crack|kill|make)\s+me|what\s+a\s+\w+(?:\s+\w+)?|"
    r"your\s+(?:answers?|repl(?:y|ies)|responses?|jokes?|explanations?|suggestions?|advice|help|ideas?)\s+"
    r"(?:is|are|was|were|has\s+been|have\s+been)\s+(?:always\s+|really\s+|very\s+|so\s+|pretty\s+)*"
    r"(?:good|great|helpful|useful|funny|amazing|awesome|excellent|perfect|nice|spot\s+on|the\s+best)|"
    # Complaints about the assistant: "you never get anything right", "you keep forgetting".
    r"(?:you|u)\s+(?:never|always|keep|constantly|still|do\s+not|don't|did\s+not|didn't|cannot|can't|just)\s+"
    r"(?:get|remember|listen|understand|learn|forget|forgetting|mess|messing|make|making|ignore|ignoring)\b)\b",
    re.IGNORECASE,
)
_ZH_ABOUT_ASSISTANT = re.compile(r"^(?:你|您)(?:真|太|好|挺|可真|还真|真的|也太|简直|果然)?(?:是个|是)?[^我]{0,6}$")
# Judgements of the assistant or the app it runs in: "this bot is dumb", "this app is sooo slow today",
# "你比我男朋友靠谱多了", "这软件太卡了". Opinions about the tool, not facts to remember.
_EN_ASSISTANT = (
    r"(?:you|u|ya|the\s+(?:app|bot|assistant|chatbot|ai)|(?:this|your|ur)\s+(?:stupid\s+|dumb\s+|damn\s+|silly\s+)?"
    r"(?:app|bot|assistant|chatbot|ai|thing|tool|program|software))"
)
_EN_DEGREE = (
    r"(?:\s+(?:so+|very|really|super|pretty|kinda|kind\s+of|sort\s+of|too|way\s+too|such\s+an?|an?|the|quite|"
    r"literally|totally|honestly|actually|always|still|extremely|incredibly|hella|like|not|a\s+bit|a\s+little|"
    r"lowkey|absolutely|seriously|genuinely|just|even|getting|being|damn|freaking|insanely|ridiculously|painfully))*"
)
_EN_VERDICT = (
    r"(?:slow|fast|quick|laggy|buggy|broken|glitchy|sluggish|dumb|stupid|smart|clever|useless|useful|helpful|"
    r"unhelpful|annoying|amazing|awesome|great|good|bad|terrible|awful|horrible|garbage|trash|rubbish|best|worst|"
    r"cute|funny|hilarious|cool|nice|sweet|weird|confusing|frustrating|reliable|unreliable|impressive|brilliant|"
    r"perfect|fantastic|excellent|wonderful|lovely|kind|patient|polite|rude|boring|genius|idiot|joke|lifesaver|"
    r"legend|disappointing|pointless|worthless|crap|crappy|lame|dope|fire|mid|clueless|hopeless|unusable|"
    r"smarter|dumber|better|worse|faster|slower)"
)
_EN_ACTION = (
    r"(?:sucks?|rocks?|rules|stinks|crash(?:es|ed|ing)?|freez(?:es|ing)|froze|lags?|lagging|hangs|"
    r"takes?\s+forever|took\s+forever|never\s+works|(?:doesn't|does\s+not|don't|won't|will\s+not)\s+(?:work|load|open|respond)|"
    r"(?:isn't|is\s+not)\s+working|keeps?\s+(?:crashing|freezing|lagging|breaking|failing|glitching))"
)
_EN_ASSISTANT_EVALUATION = re.compile(
    rf"^(?:{_EN_ASSISTANT}(?:'s|'re|\s+(?:is|are|r|was|were|seems?|looks?|feels?|gets?|got|has\s+been|have\s+been|"
    rf"'ve\s+been))|ur|youre){_EN_DEGREE}\s+{_EN_VERDICT}\b|^{_EN_ASSISTANT}{_EN_DEGREE}\s+{_EN_ACTION}\b"
    # "I love this app", "I hate you": feelings about the assistant (not "I like the AI features in …").
    rf"|^I\s+(?:really\s+|just\s+|absolutely\s+|kinda\s+|so\s+)*(?:love|like|hate|adore|dislike|appreciate)\s+"
    rf"{_EN_ASSISTANT}(?:\s+(?:so\s+much|a\s+lot|too|already))?\s*$",
    re.IGNORECASE,
)
_ZH_ASSISTANT = (
    r"(?:你|您|这个?(?:app|软件|应用|程序|机器人|助手|小助手|ai|bot|东西|玩意儿?)|这软件|小助手|机器人|智能助手|助手)"
)
_ZH_DEGREE = (
    r"(?:真的?|太|好|挺|可真|还真|也太|简直|果然|越来越|有点儿?|怎么(?:这么|那么)|这么|那么|超级?|特别|非常|很|"
    r"老是|总是|一直|又|就是|实在|确实|贼|巨|蛮|不|一点(?:都|也)不|是个|是|比.{1,8}?(?:还|更|要)?)*"
)
_ZH_VERDICT = (
    r"(?:不?靠谱|靠不住|聪明|机智|厉害|棒|牛|强|好用|难用|不好用|贴心|可爱|有趣|有意思|逗|搞笑|好玩|懂我|专业|智能|"
    r"智障|笨|傻|蠢|慢|卡|烂|差劲?|垃圾|没用|废物?|烦人?|啰嗦|无聊|不行|给力|优秀|完美|闪退|卡死|卡顿|崩了|崩溃|"
    r"打不开|用不了|不好使|不管用|老出错)"
)
_ZH_ASSISTANT_EVALUATION = re.compile(
    rf"^(?:{_ZH_ASSISTANT}{_ZH_DEGREE}{_ZH_VERDICT}"
    rf"|我(?:好|真|太|超|很|最|真的)?(?:喜欢|爱|讨厌|恨)(?:死)?{_ZH_ASSISTANT})"
    r"(?:多了|得多|极了|死了|透了|爆了|得很|了|啊|呀|吧|哦|啦|的|呢|哈|嘛)*$",
    re.IGNORECASE,
)
# What may follow a judgement in the same sentence without stating a fact: no first person, no new
# subject ("the meeting is …"), no restated value ("it's 9 not 8").
_EN_FIRST_PERSON = re.compile(r"\b(?:i|my|mine|we|our)\b", re.IGNORECASE)
_EN_COMPARED_TO_MINE = re.compile(r"\bthan\s+(?:my|our)\s+\w+", re.IGNORECASE)
_EN_NEW_SUBJECT = re.compile(
    r"^(?:the|a|an|his|her|their|[A-Z]\w*)\b|\b(?!(?:it|that|this|which|what|who)\b)[a-z]\w*\s+(?:is|are|was|were)\b"
)
_EN_RESTATED_VALUE = re.compile(
    r"\b(?:actually|instead|rather|no\s+longer|any\s?more|wrong|incorrect)\b|\bnot\s+(?:\d|[A-Z])|"
    r"\bit(?:'s|\s+is|\s+was)\s+(?:\d|[A-Z])"
)
_ZH_STATES_FACT = re.compile(r"我|是|改|换|其实|实际上|应该|错|记住|记得|以前|之前|原来|现在")
_ZH_LAUGHTER = re.compile(r"^(?:哈|呵|嘿|嘻|hh|h)+$", re.IGNORECASE)
_ZH_REQUEST = re.compile(
    r"帮我|帮忙|请帮|给我(?:推荐|讲|说|查|找|订|写|发)|推荐一下|告诉我|查一下|搜一下|找一下|订一|能不能帮|可以帮|麻烦你|"
    r"请你|你能|你可以|来一(?:首|个|份)|规划一下|安排一下|(?:别|不要|不用|别再|不要再)(?:再)?(?:给我|帮我|跟我|向我|为我)"
)
_MEMORY_DIRECTIVE = re.compile(
    r"\b(?:remember|note|keep\s+in\s+mind|be\s+aware|bear\s+in\s+mind|don't\s+forget|"
    r"for\s+the\s+record|update|correct|record|save)\b|记住|记得|请注意|更新|更正|纠正|修改|改成|改为|记录",
    re.IGNORECASE,
)

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
# Chat abbreviations are words even when the vocabulary lacks them.
_CHAT_WORDS = frozenset(
    "btw lol tbh fyi pls plz imo imho ngl lmao lmfao idk nvm thx ty np ok okay kk omg brb gm gn irl asap".split()
)
_ZH_LAUGHTER_CHARS = frozenset("哈呵嘿嘻")
_ZH_INTERJECTION_CHARS = _ZH_LAUGHTER_CHARS | frozenset("啊呀呃额哦噢嗯呜唉哎诶欸啦哇")


def _keyboard_run(token: str) -> bool:
    token = token.lower()
    for row in _KEYBOARD_ROWS:
        for i in range(len(token) - 2):
            chunk = token[i : i + 3]
            if chunk in row or chunk[::-1] in row:
                return True
    return False


def _looks_like_word(token: str) -> bool:
    lower = token.lower()
    if lower in EN_STOPWORDS or lower in _CHAT_WORDS or token[:1].isupper() and len(token) > 1:
        return True
    vocabulary = english_vocabulary()
    if vocabulary:
        stems = {lower, lower.rstrip("s"), re.sub(r"(?:ing|ed|es|ly)$", "", lower)}
        if stems & vocabulary:
            return True
    if re.search(r"(.)\1\1", lower) or not re.search(r"[aeiouy]", lower):
        return False
    if _keyboard_run(lower) or re.search(r"[bcdfghjklmnpqrstvwxz]{4,}", lower):
        return False
    return not vocabulary


def is_gibberish(text: str) -> bool:
    """Keyboard mash or letter soup with no real word in it."""
    if not without_emoji(text).strip():
        return False  # emoji alone carry tone: small talk, not gibberish
    if has_cjk(text):
        return _is_cjk_gibberish(text)
    words = _latin_words(text)
    if not words:
        return not re.search(r"\d", text)
    real = sum(1 for w in words if _looks_like_word(w))
    return real == 0 or (len(words) >= 3 and real / len(words) < 0.34)


def _latin_words(text: str) -> list[str]:
    """Letter words, a contraction by its first part ("I'm" → "I")."""
    words = (w.replace("’", "'").split("'")[0] for w in en_words(text))
    return [w for w in words if w.isalpha()]


def _is_cjk_gibberish(text: str) -> bool:
    """"啊啊啊啊啊" or "asdkj啊啊啊qwe": one character repeated, or interjections around letter soup."""
    letters = re.sub(r"[\W\d_]", "", text)
    chinese = [c for c in letters if is_cjk_char(c)]
    if len(set(letters)) == 1 and len(letters) >= 3:
        return letters[0] not in _ZH_LAUGHTER_CHARS  # "哈哈哈" is laughter
    latin = re.sub(r"[^A-Za-z']+", " ", text).strip()
    return bool(latin) and all(c in _ZH_INTERJECTION_CHARS for c in chinese) and is_gibberish(latin)


def is_assistant_evaluation(sentence: str) -> bool:
    """Praise or complaint about the assistant or app, perhaps with a remark added after it.

    "ugh this app is sooo slow today, took like a full minute to load", "666 你比我男朋友靠谱多了",
    but not "my phone is slow" nor "this bot is dumb, the meeting is at 4".
    """
    clauses = split_clauses(sentence.strip().rstrip("。.!！~～?？"))
    if not clauses:
        return False
    if has_cjk(clauses[0]):
        if not _ZH_ASSISTANT_EVALUATION.match(clauses[0]):
            return False
        return not any(_ZH_STATES_FACT.search(clause) for clause in clauses[1:])
    match = _EN_ASSISTANT_EVALUATION.match(clauses[0])
    if not match:
        return False
    rest = [clauses[0][match.end():].strip(), *clauses[1:]]
    return all(_en_adds_no_fact(part) for part in rest if part)


def _en_adds_no_fact(clause: str) -> bool:
    clause = _EN_COMPARED_TO_MINE.sub("", clause)
    return not (
        _EN_FIRST_PERSON.search(clause) or _EN_NEW_SUBJECT.search(clause) or _EN_RESTATED_VALUE.search(clause)
    )


def is_remark_about_assistant(sentence: str) -> bool:
    """"You're pretty funny for a bot", "你真逗": about the assistant, not the user's facts."""
    text = sentence.strip().rstrip("。.!！~～?？").strip()
    if is_assistant_evaluation(text):
        return True
    if has_cjk(text):
        return bool(_ZH_ABOUT_ASSISTANT.match(text))
    if re.search(r"\b(?:I|my|me|mine|we|our)\b", text, re.IGNORECASE) and not re.match(r"^you", text, re.I):
        return False
    # Short and without numbers: "You're right that the office closes at 6 now" states a fact.
    short = len(text.split()) <= 8 and not re.search(r"\d", text)
    return short and bool(_EN_ABOUT_ASSISTANT.match(text)) and not re.search(r"\b(?:I|my|me|mine)\b", text)


def is_acknowledgement(sentence: str) -> bool:
    """Thanks, praise, greetings, small talk: nothing stated about facts."""
    text = sentence.strip()
    if not text:
        return True
    clauses = [c for c in re.split(r"\s*[，,、]\s*", text) if c.strip()]
    if len(clauses) > 1 and all(_small_talk_clause(c) for c in clauses):
        return True
    if is_remark_about_assistant(text):
        return True
    if has_cjk(text):
        rest = _ZH_ACK.sub("", text)
        rest = _ZH_FILLER.sub("", rest)
        return not rest.strip()
    rest = _EN_ACK_PHRASES.sub(" ", text)
    leftover = [w.lower() for w in en_words(rest)]
    return all(w in _EN_INTENSIFIERS for w in leftover)


# "that study plan is super helpful", "that recipe was exactly what I needed": what the assistant
# gave, named by a demonstrative, and praised.
_EN_PRAISE_OF_WHAT_WAS_GIVEN = re.compile(
    r"\b(?:that|this)(?:\s+[a-z]+){1,2}?\s+(?:is|was)\s+(?:\w+\s+)?(?:helpful|useful|great|perfect|awesome|amazing|"
    r"brilliant|fantastic|exactly\s+what\s+i\s+(?:needed|wanted)|just\s+what\s+i\s+(?:needed|wanted))\b",
    re.IGNORECASE,
)


def praises_what_was_given(sentence: str) -> bool:
    """Thanks or praise for what the assistant gave, beside nothing stated ("thanks, that packing
    list was just what I needed!"). Read by the validity judgement only: in a message that also
    states facts, the parsers still read such a sentence whole."""
    if has_cjk(sentence):
        return False
    rest = _EN_PRAISE_OF_WHAT_WAS_GIVEN.sub(" ", sentence)
    return rest != sentence and is_acknowledgement(rest)


def _small_talk_clause(clause: str) -> bool:
    text = clause.strip().rstrip("。.!！~～").strip()
    return bool(_ZH_LAUGHTER.match(text)) or is_remark_about_assistant(text) or is_acknowledgement(text)


def is_question(sentence: str) -> bool:
    text = sentence.strip()
    if not text:
        return False
    if text.endswith(("?", "？")):
        return True
    if has_cjk(text):
        return bool(_ZH_QUESTION_END.search(text) or _ZH_QUESTION_WORDS.search(text))
    first = _without_leading_filler(text)
    if _EN_WH_START.match(first):
        # "What I meant is that I live in Munich", "when booking flights I prefer …" are statements.
        return not (_EN_WH_STATEMENT.match(first) or _EN_TIME_PLACE_CLAUSE.match(first))
    return bool(_EN_AUX_START.match(first))


def asks_for_a_value(question: str) -> bool:
    """"What is the user allergic to?", "用户住在哪里？": the answer is a value, not a yes or a no."""
    text = question.strip()
    if not is_question(text):
        return False
    if has_cjk(text):
        return bool(_ZH_VALUE_QUESTION.search(text))
    first = _without_leading_filler(text)
    return bool(_EN_WH_START.match(first)) and not first.lower().startswith("why")


def _without_leading_filler(text: str) -> str:
    return re.sub(r"^(?:so|and|but|ok|okay|hey|um|well)[,\s]+", "", text, flags=re.IGNORECASE)


def is_memory_directive(sentence: str) -> bool:
    """"Please remember that …", "记住…", "update my …": asks to store or fix a fact."""
    return bool(_MEMORY_DIRECTIVE.search(sentence))


def is_request(sentence: str) -> bool:
    """An instruction to do a task ("help me plan the trip"), not a fact to remember."""
    text = sentence.strip()
    if is_memory_directive(text):
        return False
    if has_cjk(text):
        return bool(_ZH_REQUEST.search(text)) or _asks_for_a_reminder(text)
    return bool(_EN_REQUEST_START.match(text) or _EN_REQUEST_ANYWHERE.search(text))


_ZH_REMINDER = re.compile(r"(?:提醒|叫醒|通知)我")
# Someone before the verb reminds the speaker ("我妈每天提醒我喝水"): a fact, not a request.
_ZH_SOMEONE = re.compile(r"[我你他她它们妈爸哥姐弟妹]|老师|老板|同事|朋友|医生|闹钟")


def _asks_for_a_reminder(text: str) -> bool:
    """"明天早上八点提醒我交电费": a time, then "remind me" with no one else doing it."""
    found = _ZH_REMINDER.search(text)
    return found is not None and not _ZH_SOMEONE.search(text[:found.start()])


def without_request_clauses(sentence: str) -> str:
    """"我讨厌香菜，以后别给我推荐带香菜的菜" → "我讨厌香菜": the fact stays, the request goes."""
    separator = "，" if has_cjk(sentence) else ", "
    clauses = [c for c in re.split(r"\s*[，,；;]\s*", sentence.strip()) if c.strip()]
    bare = [re.sub(r"^(?:so|and|but|then|also|please)\s+", "", c, flags=re.IGNORECASE) for c in clauses]
    kept = [c for c, b in zip(clauses, bare) if not is_request(b) and not is_question(b)]
    if len(kept) == len(clauses):
        return sentence
    return separator.join(kept)


_QUESTION_KINDS = Path(__file__).parent / "data" / "question_kinds.toml"


@dataclass(frozen=True)
class AskedKinds:
    """The value kinds that answer a question, and those that do not."""

    wants: frozenset[str]
    refuses: frozenset[str]


@lru_cache(maxsize=1)
def _question_kinds() -> list[tuple[re.Pattern[str], re.Pattern[str] | None, AskedKinds]]:
    table = tomllib.loads(_QUESTION_KINDS.read_text(encoding="utf-8"))["asks"]
    kinds = []
    for entry in table:
        english = re.compile(r"(?i)\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in entry["en"]) + r")\b")
        chinese = re.compile("|".join(re.escape(w) for w in entry["zh"])) if entry.get("zh") else None
        kinds.append((english, chinese, AskedKinds(frozenset(entry["wants"]), frozenset(entry["refuses"]))))
    return kinds


@lru_cache(maxsize=4096)
def asked_kinds(question: str) -> AskedKinds | None:
    """What kind of value a question asks for ("Where …", "Who …": not a date), or None."""
    if not is_question(question.strip()):
        return None
    chinese = has_cjk(question)
    found = [kinds for english, zh, kinds in _question_kinds()
             if (zh.search(question) if chinese and zh is not None else english.search(question))]
    return found[0] if len(found) == 1 else None
