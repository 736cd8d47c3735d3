"""The report's figures stay readable for label sets of any size."""
import pytest

pytest.importorskip("matplotlib")


def _drawn(monkeypatch, plot, data):
    """The figure `plot` draws, captured instead of saved."""
    import evokd_spacy.report.plots as plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or path)
    plot(data, None)
    return figures[0]


def _kept_data(n_labels):
    labels = [f"LABEL_{i}" for i in range(n_labels)]
    kept = {0: {label: 1 for label in labels}, 1: {label: i for i, label in enumerate(labels)}}
    return {"labels": labels, "rounds": [0, 1], "kept_per_label": kept, "kind": "textcat"}


def test_kept_per_label_is_stacked_bars_with_a_legend_for_a_few_labels(monkeypatch):
    from evokd_spacy.report.plots import plot_kept

    ax = _drawn(monkeypatch, plot_kept, _kept_data(4)).axes[0]
    assert ax.get_legend() is not None and len(ax.patches) == 4 * 2 and not ax.images


def test_kept_per_label_is_a_count_heat_map_beyond_twenty_labels(monkeypatch):
    from evokd_spacy.report.plots import plot_kept

    data = _kept_data(30)  # tab20 has 20 colours: stacked bars would repeat them, and the legend ran off the figure
    fig = _drawn(monkeypatch, plot_kept, data)
    ax = fig.axes[0]
    assert ax.images and ax.get_legend() is None
    assert [t.get_text() for t in ax.get_yticklabels()] == data["labels"]
    assert fig.get_figheight() >= 0.3 * 30, "one readable row per label"
    cells = {t.get_text() for t in ax.texts}
    assert {"1", "29"} <= cells and "total per round: 0: 30, 1: 435" in ax.get_title()


def test_a_multi_label_confusion_matrix_names_its_threshold(monkeypatch):
    from evokd_spacy.report.plots import plot_confusion

    final = {"labels": ["A", "B"], "matrix": [[2, 1], [0, 3]], "n": 5, "accuracy": 0.6, "multilabel": True}
    ax = _drawn(monkeypatch, plot_confusion, final).axes[0]
    assert "0.5" in ax.get_xlabel() and "argmax" not in ax.get_ylabel()
