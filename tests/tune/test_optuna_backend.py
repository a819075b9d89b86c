
def test_worker_seeds_never_collide_when_workers_open_the_study_at_different_times():
    """Consecutive pids opening before and after the first trial landed drew the same points
    when the seed parts were added (P + 1 + 0 == P + 0 + 1)."""
    from fitdoctor.tune.optuna_backend import sampler_seed

    pid = 4242
    assert sampler_seed(0, 0, pid + 1) != sampler_seed(0, 1, pid)
    seeds = {sampler_seed(0, n, p) for n in range(5) for p in range(pid, pid + 5)}
    assert len(seeds) == 25
    assert sampler_seed(7, 3) == sampler_seed(7, 3)   # one process on SQLite: reproducible
    assert sampler_seed(None, 3, pid) is None         # no seed asked: the OS's entropy
