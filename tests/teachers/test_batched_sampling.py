"""RowSampler: HF's sampling distribution, drawn per row from the row's own random stream."""
import pytest

torch = pytest.importorskip("torch")
from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper  # noqa: E402

from evokd_spacy.teachers.batched_sampling import RowSampler  # noqa: E402

LOGITS = torch.tensor([[3.0, 2.5, 2.0, 1.0, 0.0, -1.0]])


def _hf_distribution(temperature, top_k, top_p):
    scores = TemperatureLogitsWarper(temperature)(None, LOGITS.clone())
    if top_k:
        scores = TopKLogitsWarper(top_k)(None, scores)
    if top_p < 1.0:
        scores = TopPLogitsWarper(top_p)(None, scores)
    return torch.softmax(scores, dim=-1)[0]


@pytest.mark.parametrize(
    "top_k,top_p,candidates", [(0, 0.8, 4), (0, 0.95, 3), (3, 1.0, 1024), (0, 1.0, 1024), (0, 0.9, 2), (3, 0.83, 1024), (4, 0.9, 1024)]
)
def test_draws_follow_the_distribution_of_hf_temperature_top_k_and_top_p(top_k, top_p, candidates):
    sampler = RowSampler(0.7, top_k, top_p)
    sampler.CANDIDATES = candidates  # 2: fewer candidates than the nucleus needs, so the full sort is used
    generator = torch.Generator().manual_seed(1)
    n = 6000
    counts = torch.zeros(LOGITS.shape[-1])
    for _ in range(n):
        [token] = sampler.draw(LOGITS, [generator])
        counts[token] += 1
    expected = _hf_distribution(0.7, top_k, top_p)
    assert torch.allclose(counts / n, expected, atol=0.025)
    assert bool(((counts > 0) == (expected > 0)).all())  # nothing outside the nucleus is ever drawn


def test_a_rows_draws_do_not_depend_on_the_other_rows_of_its_batch():
    torch.manual_seed(0)
    steps = [torch.randn(3, 5000) * 4 for _ in range(40)]
    sampler = RowSampler(0.7, 0, 0.95)
    alone = [torch.Generator().manual_seed(7)]
    batched = [torch.Generator().manual_seed(s) for s in (3, 7, 11)]
    for scores in steps:
        assert sampler.draw(scores[1:2], alone) == sampler.draw(scores, batched)[1:2]


def test_the_same_seed_draws_the_same_tokens_and_another_seed_others():
    scores = [torch.randn(1, 3000) * 2 for _ in range(30)]

    def draws(seed):
        generator = torch.Generator().manual_seed(seed)
        return [RowSampler(0.7, 0, 0.95).draw(s, [generator])[0] for s in scores]

    assert draws(5) == draws(5) and draws(5) != draws(6)


def test_the_repetition_penalty_of_a_row_sees_only_that_rows_tokens():
    from evokd_spacy.teachers.batched_sampling import penalise_repeats

    scores = torch.tensor([[2.0, -1.0, 3.0, 0.5], [2.0, -1.0, 3.0, 0.5]])
    out = penalise_repeats(scores.clone(), [[0, 1, 1], [2]], 2.0)
    assert out.tolist() == [[1.0, -2.0, 3.0, 0.5], [2.0, -1.0, 1.5, 0.5]]
    assert penalise_repeats(scores.clone(), [[0], [1]], 1.0).tolist() == scores.tolist()


def test_settings_the_config_leaves_out_come_from_the_models_generation_config_as_in_generate():
    from transformers import GenerationConfig

    from evokd_spacy.teachers.batched_sampling import sampling_settings

    config = {"max_new_tokens": 200, "do_sample": True, "temperature": 0.7, "top_p": 0.95, "repetition_penalty": 1.1}
    # generate() samples with top_k = 50 unless told otherwise: so must the batched decoder
    assert sampling_settings(config, GenerationConfig()) == {"temperature": 0.7, "top_k": 50, "top_p": 0.95, "repetition_penalty": 1.1}
    model_defaults = GenerationConfig(top_k=20, temperature=0.6, repetition_penalty=1.05)
    assert sampling_settings({"top_p": 0.8}, model_defaults) == {"temperature": 0.6, "top_k": 20, "top_p": 0.8, "repetition_penalty": 1.05}
    assert sampling_settings({"top_k": 0}, GenerationConfig(top_k=None))["top_k"] == 0


def test_draws_are_made_on_the_scores_device(monkeypatch):
    """A CUDA generator cannot draw a CPU number: the draw must be on the scores' device (no GPU here,
    so the device torch.rand is asked for is recorded)."""
    devices = []
    real_rand = torch.rand

    def rand(*args, **kwargs):
        devices.append(kwargs.get("device"))
        return real_rand(*args, **{k: v for k, v in kwargs.items() if k != "device"})

    monkeypatch.setattr(torch, "rand", rand)
    RowSampler(0.7, 0, 1.0).draw(torch.zeros(2, 5), [torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)])
    assert devices == [torch.device("cpu")] * 2
