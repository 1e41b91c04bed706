"""Changes of state and the attributes they end: "moved" ends where someone lives.

"my sister moved to Montreal" never repeats the stored "lives in Toronto", and "朗逸卖了" never
says "开一辆朗逸": the change names an event, the memory names a state. Both map onto one
attribute class, so the analyzer can tell which stored state a change of state ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.continuity import corrects
from pipeline.text.language import has_cjk
from pipeline.text.lexicon import content_terms, lemma
from pipeline.text.subjects import relation_of


@dataclass(frozen=True)
class AttributeClass:
    name: str
    states: re.Pattern[str]  # how a memory states the attribute
    changes: re.Pattern[str]  # how feedback says it changed or ended
    # Events that end the attribute whatever its value ("retired", "毕业了"): they need no shared
    # word with the memory that states it.
    concludes: re.Pattern[str] | None = None


def _pattern(english: str, chinese: str) -> re.Pattern[str]:
    return re.compile(rf"(?i:\b(?:{english})\b)|{chinese}")


_CLASSES = (
    AttributeClass(
        "residence",
        _pattern(r"lives?|living|resides?|based\s+in|home\s+is|address|located", r"住在|住|家在|定居|地址|位于"),
        _pattern(r"moved|moving|relocated|relocating|new\s+address", r"搬(?:到|去|来|家|走|了)|迁到|新地址|不在.{1,6}住"),
    ),
    AttributeClass(
        "employment",
        _pattern(
            r"works?\s+(?:as|at|for|in)|working\s+(?:as|at|for)|job|employed|employer|position|role",
            r"工作|上班|就职|任职|担任|职位|在.{1,10}(?:做|当)|是一(?:名|位)",
        ),
        _pattern(
            r"left|quit|resigned|retired|laid\s+off|fired|let\s+go|new\s+job|joined|started\s+(?:at|working)|"
            r"switched\s+jobs?|changed\s+jobs?|got\s+hired|got\s+promoted|promoted",
            r"离职|辞职|辞了|跳槽|退休|被裁|入职|换了?(?:工作|公司)|去了一?家|升职",
        ),
        _pattern(
            r"retired|resigned|laid\s+off|got\s+fired|quit\s+(?:my|his|her|the)\s+job|lost\s+(?:my|his|her)\s+job",
            r"退休|退了休|辞职|辞了职|离职|离了职|被裁|失业|下岗",
        ),
    ),
    AttributeClass(
        "vehicle",
        _pattern(r"drives?|driving|car|vehicle|motorcycle|scooter", r"开一?(?:辆|台)|开的是|车"),
        _pattern(
            r"sold|traded\s+in|got\s+rid\s+of|totaled|totalled|wrecked|bought|got\s+a\s+(?:new|used)",
            r"卖了|卖掉|卖给|换了?(?:台|辆|车)|提了?(?:台|辆|车)|买了?(?:台|辆)",
        ),
        _pattern(r"sold\s+(?:my|the|our|his|her)\s+(?:car|truck)", r"车.{0,3}卖|卖了?车"),
    ),
    AttributeClass(
        "pet",
        _pattern(r"(?:cat|dog|kitten|puppy|rabbit|parrot|hamster|pet)s?", r"养了?|宠物|猫|狗"),
        _pattern(
            r"gave\s+(?:\w+\s+)?away|rehomed|passed\s+away|passed|died|put\s+down|ran\s+away",
            r"送给|送人|送走|去世|走丢|没了",
        ),
    ),
    AttributeClass(
        "medication",
        _pattern(r"takes?|taking|medication|medicine|pills?|tablets?|insulin|prescribed", r"服用|吃.{0,4}药|用药"),
        _pattern(r"stopped|off\s+(?:the|my|it)|no\s+longer\s+(?:on|taking)|came\s+off", r"停了|停药|停掉|不吃了|不用吃"),
    ),
    AttributeClass(
        "school",
        _pattern(r"attends?|school|grade|studies\s+at|student\s+at|college|university|kindergarten",
                 r"上学|就读|在读|读|学校|年级|小学|中学|初中|高中|大学|幼儿园"),
        _pattern(r"(?:switched|changed|transferred)\s+schools?|graduated|moved\s+up|started\s+at",
                 r"转学|毕业|升(?:了|到|入)?|上了?[一二三四五六\d]年级"),
        _pattern(r"graduated", r"毕业"),
    ),
    AttributeClass(
        "housing",
        _pattern(r"rents?|renting|owns?\s+(?:a|an|the)|apartment|house|flat|condo", r"租|房子|套房|住房|公寓"),
        _pattern(
            r"bought\s+(?:a|our|my)\s+(?:house|home|place|condo|apartment|flat)|no\s+more\s+renting|"
            r"sold\s+(?:the|my|our)\s+(?:house|home|place|apartment|flat|condo)|moved\s+out",
            r"卖了|卖掉|卖给|买了?房|不租了|退租",
        ),
    ),
    AttributeClass(
        "device",
        _pattern(r"phone|laptop|computer|tablet|smartwatch|iPhone|Android|Pixel|Galaxy", r"手机|电脑|笔记本|平板|手表"),
        _pattern(r"switched\s+to|got\s+a\s+new|upgraded|replaced|new\s+phone|new\s+laptop",
                 r"换了?(?:手机|电脑|笔记本|平板)|换成|新买了?|升级"),
    ),
    AttributeClass(
        "relationship",
        _pattern(r"married|dating|boyfriend|girlfriend|partner|engaged|single", r"结婚|男朋友|女朋友|对象|单身|恋爱"),
        _pattern(r"broke\s+up|divorced|split\s+up|separated|got\s+married|got\s+engaged", r"分手|离婚|结婚了|订婚"),
        _pattern(r"got\s+married|divorced|broke\s+up", r"结婚|领证|离婚|离了婚|分手"),
    ),
    AttributeClass(
        "smoking",
        _pattern(r"smokes?|smoking|cigarettes?|cigars?|vapes?|vaping", r"抽.{0,4}烟|吸烟|香烟|雪茄"),
        _pattern(r"quit|stopped|gave\s+up|cut\s+out", r"戒了|戒掉|不抽了"),
        _pattern(r"(?:quit|stopped|gave\s+up)\s+(?:smoking|cigarettes|vaping)", r"戒烟|戒了烟|烟.{0,3}戒|不抽烟了"),
    ),
    AttributeClass(
        "drinking",
        _pattern(r"drinks?|drinking|alcohol|beer|wine", r"喝"),
        _pattern(r"quit|stopped|gave\s+up|cut\s+out|sober", r"戒了|戒掉|戒酒|不喝了"),
        _pattern(r"(?:quit|stopped|gave\s+up)\s+(?:drinking|alcohol)|sober", r"戒酒|戒了酒|酒.{0,3}戒"),
    ),
    AttributeClass(
        "diet",
        _pattern(r"vegetarian|vegan|pescatarian|meat|chicken|beef|pork|steak", r"吃肉|吃荤|荤|吃素|素食|全素|[牛猪鸡羊]肉"),
        _pattern(r"went\s+(?:vegetarian|vegan)|(?:eats?|eating)\s+(?:meat|fish)\s+(?:again|now)",
                 r"吃素|吃全素|素食|开始吃(?:肉|荤|鱼|海鲜)"),
        _pattern(r"went\s+(?:vegetarian|vegan)", r"吃素|吃全素|开始吃(?:肉|荤|鱼|海鲜)"),
    ),
    AttributeClass(
        "parenthood",
        _pattern(r"trying\s+(?:for|to\s+have)\s+a\s+baby|pregnant|no\s+(?:kids|children)",
                 r"备孕|怀孕|没有孩子|还没.{0,3}孩子"),
        _pattern(r"(?:got|is|am)\s+pregnant|gave\s+birth|was\s+born|had\s+(?:a|our)\s+baby",
                 r"怀孕|怀上|出生|生了"),
        _pattern(r"(?:got|is|am)\s+pregnant|gave\s+birth|was\s+born|had\s+(?:a|our)\s+baby",
                 r"怀孕|怀上|出生|生了"),
    ),
    AttributeClass(
        "nursing",
        _pattern(r"breastfeed(?:s|ing)?|nursing", r"哺乳|母乳|喂奶"),
        _pattern(r"weaned", r"断奶"),
        _pattern(r"weaned", r"断奶"),
    ),
    AttributeClass(
        "schedule",
        _pattern(r"appointment|meeting|flight|departs?|leaves|scheduled|reservation|booked|class|session",
                 r"预约|会议|航班|起飞|出发|安排|计划|预订|课"),
        _pattern(r"moved|rescheduled|pushed|postponed|changed|cancell?ed|delayed|brought\s+forward|slipped|slips",
                 r"改签|改到|推迟|提前|改期|取消|延期|挪到|换到"),
    ),
    AttributeClass(
        "price",
        _pattern(r"costs?|price|fee|priced", r"价格|价|费用|收费"),
        _pattern(r"went\s+(?:up|down)|raised|increased|dropped|new\s+price|old\s+price|price\s+changed",
                 r"调价|涨价|降价|涨到|降到|涨了|降了|提价"),
    ),
    AttributeClass(
        "contact",
        _pattern(r"contact|(?:go|goes|sent|send|directed)\s+to|in\s+charge|responsible\s+for|handles?|point\s+of\s+contact",
                 r"联系人|负责|对接|找"),
        _pattern(r"only\s+does|now\s+handles|took\s+over|taking\s+over|reassigned|transferred|in\s+charge\s+now",
                 r"调去|调到|接手|现在找|改找|换人"),
    ),
    AttributeClass(
        "hours",
        _pattern(r"opens?|closes?|open\s+from|hours", r"营业|开门|关门|开放"),
        _pattern(r"hours\s+changed|new\s+hours|now\s+(?:opens|closes)|closes\s+at|opens\s+at|only\s+open",
                 r"关门|开门|营业到|只开|开半天"),
    ),
)

# Verbs that say an amount or setting changed, whatever the attribute ("bumped … to 20mg"). The
# words of a correction ("now", "changed", "改", "现在") are fillers.has_correction_cue's.
_GENERIC_CHANGE = re.compile(
    r"(?i:\b(?:bumped|upped|raised|lowered|increased|decreased|reduced|cut|dropped|went\s+(?:up|down)|"
    r"extended|shortened|lengthened|pushed\s+back|updated|outdated|stale|old\s+(?:info|number|price))\b)"
    r"|涨|降|调|变|已经|过时"
)


def says_something_changed(text: str) -> bool:
    """An amount or setting changed; with has_correction_cue, whether feedback signals a change."""
    return bool(_GENERIC_CHANGE.search(text))


# "I also started …", "我还…": an addition, not a change.
_ADDITION = re.compile(r"(?i:\b(?:also|too|as\s+well|another|second|additionally)\b)|还有|另外|也(?!不)")


def _adds(text: str) -> bool:
    """An addition ("I also started at …"), unless the text corrects ("也换成", "also … not …")."""
    return bool(_ADDITION.search(text)) and not corrects(text)


def changed_attributes(text: str) -> tuple[str, ...]:
    """Attribute classes the feedback says changed ("sold the civic" → vehicle, housing)."""
    if _adds(text):
        return ()
    return tuple(c.name for c in _CLASSES if c.changes.search(text) or (c.concludes and c.concludes.search(text)))


def concluded_attributes(text: str) -> tuple[str, ...]:
    """Attribute classes an event ends whatever their value ("retired" → employment, "毕业了" → school)."""
    if _adds(text):
        return ()
    return tuple(c.name for c in _CLASSES if c.concludes and c.concludes.search(text))


@lru_cache(maxsize=4096)
def stated_attributes(memory: str) -> frozenset[str]:
    """Attribute classes a memory states ("drives a 2015 Honda Civic" → vehicle)."""
    return frozenset(c.name for c in _CLASSES if c.states.search(memory))


# What a change ended: "sold the civic", "quit smoking", "啤酒我已经戒了", "从星河离职".
_EN_ENDED = re.compile(
    r"(?i:\b(?:sold|quit|left|stopped|stopped\s+using|gave\s+up|gave\s+away|rehomed|traded\s+in|traded|ditched|"
    r"moved\s+off(?:\s+of)?|switched\s+(?:away\s+)?from|no\s+more|no\s+longer\s+\w+|"
    r"got\s+rid\s+of|moved\s+out\s+of|moved\s+away\s+from|not\s+in|off)\s+"
    r"(?:the\s+|my\s+|our\s+|his\s+|her\s+)?(?P<obj>[A-Za-z][\w\-']*(?:\s+[A-Za-z][\w\-']*){0,2}?)"
    r"(?=\s*(?:[^\w\s]|$)|\s+(?:a|an|last|this|after|because|since|and|but|so|anymore|any\s+more|"
    r"for|ago|now|in|at|recently|yesterday|tho|though|lol)\b))"
)
# "I don't use an iPhone anymore": what the user no longer does or has.
_EN_NOT_ANYMORE = re.compile(
    r"(?i:\b(?:don't|do\s+not|doesn't|does\s+not|am\s+not|i'm\s+not|isn't|is\s+not|no\s+longer)\s+"
    r"(?:\w+ing\s+|\w+\s+)?(?:an?\s+|the\s+|my\s+|in\s+|at\s+)?"
    r"(?P<obj>[A-Za-z][\w\-']*(?:\s+[A-Za-z][\w\-']*){0,2}?)\s+(?:anymore|any\s+more|any\s+longer)\b)"
)
# "Biscuit passed away", "the shop closed down": what ended is the subject of the event.
_EN_ENDED_SUBJECT = re.compile(
    r"(?:^|[,.;!?]\s*|\b(?:sadly|so|and|but)\s+)(?:sadly\s+)?(?P<obj>(?:(?:the|my|our|his|her)\s+)?(?:[A-Za-z][\w\-']*\s+)?[A-Za-z][\w\-']*)\s+"
    r"(?:has\s+|had\s+|just\s+|finally\s+|sadly\s+)*"
    r"(?:passed\s+away|passed|died|ran\s+away|(?:was|got)\s+(?:put\s+down|sold|rehomed)|is\s+gone|closed\s+down|shut\s+down)\b",
    re.IGNORECASE,
)
_ZH_ENDED_AFTER = re.compile(
    r"(?:卖了|卖掉了?|戒了|戒掉了?|停了|停掉了?|送走了?|辞了|退了)(?P<obj>[\u4e00-\u9fffA-Za-z0-9]{1,8}?)(?=[，,。！!？?～~\s]|$|给|了)"
)
_ZH_ENDED_BEFORE = re.compile(
    r"(?:^|[，,。！!\s])(?P<obj>[\u4e00-\u9fffA-Za-z0-9]{1,10}?)(?:我|他|她)?(?:已经|早就|早|都|也)?"
    r"(?:卖了|卖掉|卖给|戒了|戒掉|停了|停掉|送给|送人|送走|转给|退了|退掉|不喝了|不抽了|不吃了|不用了|调去|调到|调走|离职|辞职|退休|"
    r"去世|过世|死了|走丢了|走了)"
)
_ZH_ENDED_FROM = re.compile(r"从(?P<obj>[\u4e00-\u9fffA-Za-z0-9]{1,10}?)(?:离职|辞职|退休|毕业|搬走|搬出来|出来)")
_ZH_PARTED = re.compile(r"(?:和|跟|与)(?P<obj>[\u4e00-\u9fffA-Za-z]{1,6}?)(?:已经|早就)?(?:分手|离婚|分开|绝交)")
_ZH_NOT_THERE = re.compile(r"不在(?P<obj>[\u4e00-\u9fffA-Za-z0-9]{1,8}?)(?:住|了|工作|上班|上学|[，,。！!]|$)")
_LEADING_ZH_NOISE = re.compile(r"^(?:那套|那辆|那台|那只|那个|这个|我的|我家|我们|我|把|的)+")
# When it ended, or for how long, is not what ended.
_ZH_TIME_TERMS = {"先", "今年", "去年", "上个月", "上周", "最近", "前段时间", "早就", "刚刚", "刚", "已经", "早", "快", "好久", "很久", "多年"}
_ZH_SPAN = re.compile(r"^[快近约]?[一二三四五六七八九十半两几\d]+(?:年|个月|月|周|天|星期)多?$")


def ended_terms(text: str) -> tuple[str, ...]:
    """Content terms of what the feedback says no longer holds ("civic", "啤酒", "星河")."""
    found: list[str] = []
    for pattern in (_EN_ENDED, _EN_NOT_ANYMORE, _EN_ENDED_SUBJECT):
        for match in pattern.finditer(text):
            found.extend(content_terms(match.group("obj"), "en"))
    if has_cjk(text):
        for pattern in (_ZH_ENDED_AFTER, _ZH_ENDED_BEFORE, _ZH_ENDED_FROM, _ZH_NOT_THERE, _ZH_PARTED):
            for match in pattern.finditer(text):
                obj = _LEADING_ZH_NOISE.sub("", match.group("obj"))
                found.extend(
                    term for term in content_terms(obj, "zh")
                    if term not in _ZH_TIME_TERMS and not _ZH_SPAN.match(term) and not relation_of(term)
                )
    return tuple(dict.fromkeys(term for term in found if term))


def mentions_term(memory: str, term: str) -> bool:
    """A term of the feedback in a memory: by lemma in English, by characters in Chinese."""
    if has_cjk(term):
        return term in memory
    wanted = {term.lower(), lemma(term)}  # the term may come already lemmatised ("hous")
    for word in re.findall(r"[A-Za-z][\w\-']*", memory):
        found = lemma(word)
        if found in wanted or any(_same_stem(found, w) for w in wanted):
            return True
    return False


def _same_stem(a: str, b: str) -> bool:
    """"allergy" and "allergic", "commute" and "commuting": one long shared beginning."""
    shorter = min(len(a), len(b))
    if shorter < 5:
        return False
    prefix = 0
    while prefix < shorter and a[prefix] == b[prefix]:
        prefix += 1
    return prefix >= 5 and prefix >= 0.8 * shorter
