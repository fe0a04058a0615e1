import pytest
from sklearn.utils.estimator_checks import (
    check_estimator_cloneable,
    check_estimators_unfitted,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from stancelib import StanceClassifier
from stancelib.features import TargetContext

API_CHECKS = [
    check_estimator_cloneable,
    check_no_attributes_set_in_init,
    check_get_params_invariance,
    check_set_params,
    check_parameters_default_constructible,
    check_mixin_order,
    check_estimators_unfitted,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda check: check.__name__)
def test_sklearn_api(check):
    check("StanceClassifier", StanceClassifier())


@pytest.mark.parametrize("check", API_CHECKS[:-1], ids=lambda check: check.__name__)
def test_sklearn_api_of_target_context(check):
    check("TargetContext", TargetContext())
