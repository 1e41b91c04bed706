"""Reciprocal rank fusion where equal scores share a rank."""

from pipeline.store.base import RRF_K, fused_ranking


def test_fusion_adds_reciprocal_ranks_like_the_engines() -> None:
    fused = fused_ranking([[("a", 0.9), ("b", 0.8)], [("b", 3.0), ("c", 1.0)]], limit=3)
    assert [point for point, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == 1 / (RRF_K + 1) + 1 / RRF_K and fused[1][1] == 1 / RRF_K


def test_equal_scores_share_a_rank_so_the_other_list_decides() -> None:
    dense = [("beagle", 0.57), ("age", 0.46), ("name", 0.39)]
    for sparse_order in (["age", "name", "beagle"], ["name", "beagle", "age"]):
        sparse = [(point, 2.5) for point in sparse_order]
        assert [point for point, _ in fused_ranking([dense, sparse], limit=3)] == ["beagle", "age", "name"]


def test_what_still_ties_goes_by_id_and_the_limit_cuts() -> None:
    assert fused_ranking([[("b", 1.0), ("a", 1.0)]], limit=1) == [("a", 1 / RRF_K)]
    assert fused_ranking([[], []], limit=5) == []
