from evals.subset import hashed_subset, seed_for
from evals.types import Sample, Text


def samples(n):
    return [Sample(f"id{i}", (Text(str(i)),)) for i in range(n)]


def test_subset_is_reproducible_ordered_and_nested():
    data = samples(200)
    a = [s.id for s in hashed_subset(iter(data), 20, seed=1)]
    b = [s.id for s in hashed_subset(iter(data), 20, seed=1)]
    assert a == b and len(a) == 20
    assert a == sorted(a, key=lambda x: int(x[2:]))  # original order kept
    bigger = {s.id for s in hashed_subset(iter(data), 50, seed=1)}
    assert set(a) <= bigger  # growing --limit extends the same subset
    other = [s.id for s in hashed_subset(iter(data), 20, seed=2)]
    assert other != a


def test_subset_larger_than_data_and_none():
    data = samples(5)
    assert len(list(hashed_subset(iter(data), 50))) == 5
    assert len(list(hashed_subset(iter(data), None))) == 5
    assert list(hashed_subset(iter(data), 0)) == []


def test_per_sample_seed_is_stable():
    assert seed_for(0, "a") == seed_for(0, "a")
    assert seed_for(0, "a") != seed_for(1, "a")
