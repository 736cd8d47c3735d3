"""Text in scripts written without spaces between words: joining tokens, counting tokens, echoes."""
from evokd_spacy.llm_io import estimate_tokens
from evokd_spacy.tasks.textcat.generate import _squash, is_echo
from evokd_spacy.util.scripts import join_tokens, split_unspaced


def test_tokens_join_without_a_space_only_between_unspaced_characters_and_their_punctuation():
    assert join_tokens(["我", "爱", "北", "京", "。", "I", "love", "it", "."], "zh") == "我爱北京。 I love it ."
    assert join_tokens(["我", "爱"]) == "我 爱" and join_tokens(["나는", "서울에"], "ko") == "나는 서울에"
    assert split_unspaced("我爱 pho").split() == ["我", "爱", "pho"]


def test_a_chinese_character_is_estimated_as_a_token_and_english_at_four_characters_a_token():
    assert estimate_tokens("hello world, this") == 5 and estimate_tokens("") == 0
    assert estimate_tokens("我喜欢北京烤鸭") == 7
    assert estimate_tokens("我喜欢 pho") == 3 + 1


def test_a_chinese_text_copied_from_the_prompt_is_an_echo():
    lines = [_squash("例子：这部电影非常好看，演员也很棒")]
    assert is_echo("这部电影非常好看，演员也很棒", lines)
    assert not is_echo("服务太差了", lines)
