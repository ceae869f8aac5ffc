"""MultiWorkerMirroredStrategy on loopback: two worker processes train like one process."""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import multiworker_worker as worker

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multiworker_worker.py")
TIMEOUT = 90  # seconds for both workers together


def free_ports(n):
    """`n` distinct free TCP ports on 127.0.0.1 (all sockets are held until every port is known)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_workers(out_dir, n=2):
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(n)]}
    processes = []
    for index in range(n):
        env = dict(os.environ)
        env["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        env["CUDA_VISIBLE_DEVICES"] = ""
        log = open(os.path.join(out_dir, f"worker{index}.log"), "w")
        processes.append(
            subprocess.Popen([sys.executable, WORKER_SCRIPT, out_dir], env=env, stdout=log, stderr=subprocess.STDOUT)
        )
        log.close()
    return processes


def wait_all(processes, out_dir, timeout):
    deadline = time.monotonic() + timeout
    for index, process in enumerate(processes):
        try:
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            code = None
        if code != 0:
            with open(os.path.join(out_dir, f"worker{index}.log")) as f:
                tail = f.read()[-3000:]
            status = "timed out" if code is None else f"exited with {code}"
            raise AssertionError(f"worker {index} {status}:\n{tail}")


def test_two_workers_on_loopback_match_one_process(tmp_path):
    out_dir = str(tmp_path)
    reference = worker.build_gan()  # one process, default strategy: one replica
    worker.save_initial_weights(reference, os.path.join(out_dir, "initial.npz"))
    initial = worker.all_weights(reference)

    processes = start_workers(out_dir)
    try:
        history = reference.fit(worker.dataset(), epochs=1, steps_per_epoch=worker.STEPS, verbose=0)
        expected = worker.all_weights(reference)
        wait_all(processes, out_dir, TIMEOUT)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    assert tf.distribute.get_strategy().num_replicas_in_sync == 1
    assert np.abs(expected - initial).max() > 1e-2  # the steps moved the weights
    results = [np.load(os.path.join(out_dir, f"worker{i}.npy")) for i in range(2)]
    np.testing.assert_allclose(results[0], results[1], atol=1e-6)
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-4)

    for i in range(2):
        with open(os.path.join(out_dir, f"worker{i}.json")) as f:
            report = json.load(f)
        assert report["num_replicas"] == 2
        assert report["types"] == ["float"]  # History holds plain floats, not (1,) arrays
        assert set(report["history"]) == set(history.history) == {"d_loss", "g_loss", "gradient_penalty"}
        for name, values in report["history"].items():  # means over replicas = global-batch means
            np.testing.assert_allclose(values, history.history[name], atol=1e-4, err_msg=name)
