"""Numbers as a hotline writes them: one form whatever Whisper wrote, idioms left alone."""

from __future__ import annotations

import pytest
from faster_whisper.transcribe import Segment as RawSegment
from faster_whisper.transcribe import Word as RawWord

from hotline.asr.numbers import normalise_numbers, parse_cardinal
from hotline.asr.segments import build_segments
from hotline.asr.text_cleanup import clean_segment_text
from hotline.inspection.textmatch import arabic_numerals
from hotline.warehouse.access import mask_text


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        # Phone and ID numbers: digit strings, however Whisper wrote them.
        ("你记一下我的手机，幺三八零零零零二零二六。", "你记一下我的手机，13800002026。"),
        ("我的手机是一三八零零零零二零二六", "我的手机是13800002026"),
        ("电话是138 0000 2026", "电话是13800002026"),
        ("电话是138-0000-2026，谢谢", "电话是13800002026，谢谢"),
        ("座机0571-88886666", "座机057188886666"),
        ("身份证号三三零一零六一九九零零三零七幺二三四", "身份证号330106199003071234"),
        ("您好，幺二三四五政务服务便民热线", "您好，12345政务服务便民热线"),
        ("工号幺零零幺，请问有什么可以帮您？", "工号1001，请问有什么可以帮您？"),
        ("工号二零零二", "工号2002"),
        ("尾号六六八八的那个号码", "尾号6688的那个号码"),
        ("我打了幺幺零", "我打了110"),
        # House numbers: Arabic numerals, read either way.
        ("江北区临江路八十八号", "江北区临江路88号"),
        ("高新区科创大道一百六十六号，创新公寓三号楼。", "高新区科创大道166号，创新公寓3号楼。"),
        ("江南区梧桐路翠湖小区，十二栋。", "江南区梧桐路翠湖小区，12栋。"),
        ("三号楼二单元五零一室", "3号楼2单元501室"),
        ("十二栋一单元一二零三室", "12栋1单元1203室"),
        ("我家住十八楼", "我家住18楼"),
        ("滨海新区海韵路二十号", "滨海新区海韵路20号"),
        ("地铁二号线", "地铁2号线"),
        # Amounts and dates.
        ("欠了三千五百元", "欠了3500元"),
        ("一共三千五块钱", "一共3500块钱"),
        ("加起来二十万元", "加起来20万元"),
        ("二零二四年三月十五号", "2024年3月15号"),
        ("十月一日放假", "10月1日放假"),
        ("孩子今年七岁", "孩子今年7岁"),
        # Not numbers, or nothing says they are: unchanged.
        ("一二线城市虽然也处于调整中", "一二线城市虽然也处于调整中"),
        ("现在都十一点多了", "现在都十一点多了"),
        ("我们十几个人的工资都没拿到，加起来有二十多万", "我们十几个人的工资都没拿到，加起来有二十多万"),
        ("三三两两地站着", "三三两两地站着"),
        ("他一五一十地说了", "他一五一十地说了"),
        ("您千万别这么想", "您千万别这么想"),
        ("快一点，我们一块去", "快一点，我们一块去"),
        ("第一次打电话", "第一次打电话"),
        ("电梯坏了一个多星期了", "电梯坏了一个多星期了"),
        ("一日三餐", "一日三餐"),
        ("等两三天", "等两三天"),
        ("换一首歌", "换一首歌"),
        ("2-3天", "2-3天"),
        ("已经12点了", "已经12点了"),
    ],
)
def test_numbers_are_written_as_a_hotline_writes_them(heard: str, written: str):
    assert normalise_numbers(heard) == written


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("一百六十六", 166), ("两百", 200), ("三千五", 3500), ("一百二", 120), ("一千零二十", 1020), ("一零", None), ("十百", None)],
)
def test_cardinals_parse_as_read(numeral: str, value: int | None):
    assert parse_cardinal(numeral) == value


def test_normalising_twice_changes_nothing():
    text = "工号幺零零幺，地址三号楼二单元五零一室，电话幺三八零零零零二零二六，欠款三千五百元"
    once = normalise_numbers(text)
    assert once == "工号1001，地址3号楼2单元501室，电话13800002026，欠款3500元"
    assert normalise_numbers(once) == once


def test_masking_and_read_back_see_the_normalised_form():
    said = normalise_numbers("我的手机是幺三八零零零零二零二六，住三号楼二单元五零一室")
    masked = mask_text(said)
    assert "13800002026" not in masked and "501" not in masked
    assert "[号码]" in masked and "[门牌]" in masked
    # The address check's own numeral conversion agrees with the transcript's form.
    assert arabic_numerals("临江路八十八号") == normalise_numbers("临江路八十八号")


def _raw(start: float, end: float, words: list[tuple[float, float, str]]) -> RawSegment:
    return RawSegment(
        id=0, seek=0, start=start, end=end, text="".join(w for _, _, w in words), tokens=[], avg_logprob=-0.2,
        compression_ratio=1.2, no_speech_prob=0.01, words=[RawWord(start=a, end=b, word=w, probability=p) for a, b, w, p in ((a, b, w, 0.9 - i * 0.01) for i, (a, b, w) in enumerate(words))], temperature=0.0,
    )


def test_segment_words_merge_where_a_number_was_rewritten():
    digits = list("幺三八零零零零二零二六")
    words = [(0.0, 0.4, "我的"), (0.4, 0.8, "手机")] + [(1.0 + i * 0.2, 1.2 + i * 0.2, d) for i, d in enumerate(digits)] + [(3.3, 3.6, "。")]
    raw = [_raw(0.0, 3.6, words), _raw(4.0, 6.0, [(4.0, 4.5, " 住三"), (4.5, 4.8, "号楼"), (4.8, 5.2, "五"), (5.2, 5.4, "零"), (5.4, 5.6, "一室")])]
    segs = build_segments(raw, speaker="caller", channel=1, duration_s=10.0)
    assert [s.text for s in segs] == ["我的手机13800002026。", "住3号楼501室"]
    first, second = segs
    # Words still join to the text, and the number is one word spanning all the digits it replaced.
    assert "".join(w.text for w in first.words) == first.text
    number = first.words[2]
    assert (number.text, number.start_s, number.end_s) == ("13800002026", 1.0, 3.2)
    assert number.probability == pytest.approx(0.9 - 12 * 0.01)
    assert [w.text for w in second.words] == ["住3", "号楼", "501室"]
    assert "".join(w.text for w in second.words) == second.text


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        ("您好,12345政务服务便民热线,工号1001,请问有什么可以帮您?", "您好，12345政务服务便民热线，工号1001，请问有什么可以帮您？"),
        ("好的.", "好的。"),
        ("一共1,000元", "一共1,000元"),  # inside a number: unchanged
        ("价格3.5元", "价格3.5元"),
        ("打开 WiFi, 设置", "打开 WiFi, 设置"),  # after Latin text: unchanged
    ],
)
def test_chinese_clauses_get_full_width_punctuation(heard: str, written: str):
    assert clean_segment_text(heard) == written
