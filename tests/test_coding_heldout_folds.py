"""The held-out figures' outer folds: one per informant up to HELDOUT_FOLDS, HELDOUT_GROUPS past it (linear cost)."""

import numpy as np
import pytest

from pipeline.coding.evaluation import HELDOUT_FOLDS, HELDOUT_GROUPS, heldout_cv, heldout_folds


def _groups(n_informants: int, per: int = 3) -> list[str]:
    return [f"inf{i:03d}" for i in range(n_informants) for _ in range(per)]


@pytest.mark.parametrize("n_informants", [2, 18, HELDOUT_FOLDS])
def test_a_study_of_up_to_heldout_folds_informants_keeps_one_fold_per_informant(n_informants):
    groups = _groups(n_informants)
    splits = list(heldout_cv(groups).split(np.zeros(len(groups)), groups=groups))
    assert len(splits) == n_informants == heldout_folds(n_informants)
    assert all(len({groups[i] for i in test}) == 1 for _, test in splits)


@pytest.mark.parametrize("n_informants", [HELDOUT_FOLDS + 1, 55, 990])
def test_a_larger_study_has_heldout_folds_folds_and_no_informant_in_its_own_training(n_informants):
    groups = _groups(n_informants, per=2)
    splits = list(heldout_cv(groups).split(np.zeros(len(groups)), groups=groups))
    assert len(splits) == HELDOUT_GROUPS == heldout_folds(n_informants)
    tested = []
    for train, test in splits:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        tested += list(test)
    assert sorted(tested) == list(range(len(groups)))  # every segment coded exactly once
    # the same folds whatever the run: outputs are a function of the inputs
    again = list(heldout_cv(groups).split(np.zeros(len(groups)), groups=groups))
    assert all((a[1] == b[1]).all() for a, b in zip(splits, again))


def test_the_method_the_record_and_the_report_name_follows_the_folds():
    from pipeline.coding.heldout import METHOD, heldout_method

    assert heldout_method(18) == METHOD == "leave-one-informant-out"
    assert heldout_method(HELDOUT_FOLDS) == METHOD
    assert heldout_method(HELDOUT_FOLDS + 1) == f"{HELDOUT_GROUPS} grupper av informanter" == "5 grupper av informanter"
    assert heldout_folds(18) == 18 and heldout_folds(HELDOUT_FOLDS) == HELDOUT_FOLDS
