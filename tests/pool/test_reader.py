"""Reading the unlabelled pool."""
import pytest

from evokd_spacy.errors import DataError
from evokd_spacy.loop.filters import normalise
from evokd_spacy.pool.reader import read_pool


def test_jsonl_pool_drops_duplicates_and_excluded_texts(textcat_pool):
    texts = read_pool(str(textcat_pool))
    assert len(texts) == 41  # 40 + the dev text; the duplicate is gone
    dev_text = texts[-1]
    assert read_pool(str(textcat_pool), exclude={normalise(dev_text)}) == texts[:-1]


def test_plain_text_and_csv_pools(tmp_path):
    (tmp_path / "p.txt").write_text("first doc\n\nsecond doc\nfirst doc\n")
    assert read_pool(str(tmp_path / "p.txt")) == ["first doc", "second doc"]
    (tmp_path / "p.csv").write_text('text,label\n"a, b",X\nc,Y\n')
    assert read_pool(str(tmp_path / "p.csv")) == ["a, b", "c"]


def test_docbin_and_conll_pools_give_one_text_a_doc_or_sentence(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    DocBin(docs=[nlp("A first doc."), nlp("A second one.")]).to_disk(tmp_path / "p.spacy")
    assert read_pool(str(tmp_path / "p.spacy")) == ["A first doc.", "A second one."]
    (tmp_path / "p.conll").write_text("-DOCSTART-\tO\n\nI\tO\nlike\tO\nramen\tB-DISH\n\nMiso\nsoup\n")
    assert read_pool(str(tmp_path / "p.conll")) == ["I like ramen", "Miso soup"], "tags ignored, token-only lines read"
    (tmp_path / "zh.conll").write_text("我\tO\n爱\tO\n饺\tB-DISH\n子\tI-DISH\n\n", encoding="utf8")
    assert read_pool(str(tmp_path / "zh.conll"), lang="zh") == ["我爱饺子"], "no space between two Chinese characters"


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("missing.jsonl", None, "File not found for 'pool.path'"),
        ("bad.jsonl", '{"text": "ok"}\nnot json\n', "line 2"),
        ("notext.jsonl", '{"label": "X"}\n', 'needs a non-empty "text"'),
        ("nocol.csv", "body\nx\n", "`text` column"),
        ("empty.txt", "\n\n", "No usable text"),
        ("pool.conllu", "1\tx\n", "Unknown format for 'pool.path'.*\\.jsonl.*\\.txt.*\\.spacy"),
    ],
)
def test_bad_pools_name_the_file_and_key(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(DataError, match=message):
        read_pool(str(path))
