"""Helpers shared by the benchmarks that train a shipped recipe and score it (`conditional.py`,
`stacked_mnist.py`): one trained-and-scored run, and the seed-0 run a zoo card records."""

import json
import os
import shutil
import tempfile
import time

ZOO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "saved_models")


def train_and_score(name, overrides, metrics, n):
    """Trains recipe `name` with `overrides` (a temporary run folder, as `keras-gans train`) and scores
    `n` samples with `evaluate_run(metrics)` on the recipe's data (sample seed 0). Returns the run
    dict: generator steps, wall and CPU seconds of training, the metrics and their seconds."""
    import keras

    from keras_gans import recipes
    from keras_gans.metrics.evaluate import evaluate_run
    from keras_gans.training.run import train

    keras.backend.clear_session()
    recipe = recipes.apply_overrides(recipes.load(name), list(overrides))
    out = tempfile.mkdtemp(prefix=f"{name}-")
    start, cpu = time.time(), time.process_time()
    try:
        model, _ = train(recipe, out, verbose=0, log=lambda *a: None)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    run = {"steps": int(model.step_counter.numpy()), "n": n, "train_seconds": time.time() - start,
           "train_cpu_seconds": time.process_time() - cpu}
    start = time.time()
    run.update(evaluate_run(model, metrics=metrics, n=n, seed=0, data=recipe["data"]))
    run["eval_seconds"] = time.time() - start
    return run


def zoo_card(name, steps, n, default_n):
    """The card of zoo entry `name` if it records seed 0 at `steps` (any when None) scored on
    `n` == `default_n` samples (the card's own count), else None."""
    path = os.path.join(ZOO, name, "card.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        card = json.load(f)
    if (steps is not None and card.get("steps") != steps) or card.get("seed") != 0 or n != default_n:
        return None
    return dict(card, source=f"saved_models/{name}/card.json")
