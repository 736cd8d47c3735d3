"""Neighbour smoothing and the self-trained head, on made-up distributions and embeddings."""
import numpy as np

from benchmarks.neighbour_labels import self_trained_head, smooth


def test_smoothing_pulls_a_text_towards_its_neighbours_labels():
    vectors = np.array([[1.0, 0.0], [0.99, 0.14], [0.98, 0.2], [0.0, 1.0], [0.14, 0.99]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    probs = np.array([[0.4, 0.6], [0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.2, 0.8]])
    smoothed = smooth(probs, vectors, k=2, mix=0.5)
    assert smoothed[0].argmax() == 0, "the odd one out among like texts is pulled over"
    assert smoothed[3].argmax() == 1 and np.allclose(smoothed.sum(axis=1), 1.0)
    assert np.allclose(smooth(probs, vectors, k=2, mix=0.0), probs)


def test_self_trained_head_predicts_held_out_texts_from_the_others_labels():
    rng = np.random.default_rng(0)
    vectors = np.vstack([rng.normal(2, 0.3, (20, 4)), rng.normal(-2, 0.3, (20, 4))])
    probs = np.array([[0.8, 0.2]] * 20 + [[0.3, 0.7]] * 20)
    probs[3] = [0.45, 0.55]  # a teacher mistake in the first cluster
    head = self_trained_head(probs, vectors, folds=5)
    assert head.shape == probs.shape and np.allclose(head.sum(axis=1), 1.0)
    assert head[3].argmax() == 0, "its fold's head learned the cluster from the other texts"
    assert (head[:20].argmax(axis=1) == 0).all() and (head[20:].argmax(axis=1) == 1).all()
