"""Issue 9: every number shown with the warning it needs (through app.py, as a visitor opens the link)."""

import pytest
from apptest_harness import app, deployment, metrics, texts

from model.core import metrics as model_metrics
from model.serving.capacity import load_check
from model.serving.simulate import run_policies
from model.serving.workload import Workload
from ui import format as fmt

LONG_PROMPT = {"prompt": "200000"}  # Llama 3.1 70B takes 131,072 tokens
PROMPT_PAGES = [None, "pages/roofline.py", "pages/prefill_decode.py", "pages/long_context.py", "pages/latency.py",
                "pages/caching.py", "pages/disaggregation.py"]


def warnings(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


@pytest.mark.parametrize("page", PROMPT_PAGES)
def test_a_prompt_beyond_the_maximum_context_is_warned_on_every_page_that_uses_it(page):
    at = app(LONG_PROMPT, page=page)
    assert not at.exception
    assert "prompt 200000 exceeds the model's maximum context 131072" in warnings(at)


def test_the_overview_says_the_ttft_is_for_a_prompt_the_model_cannot_take():
    at = app(LONG_PROMPT)
    assert "one prefill pass over 200,000 prompt tokens (no queueing); the prompt is beyond the model's maximum " \
           "context (131,072 tokens)" in texts(at)


def test_a_whole_request_beyond_the_context_is_warned():
    at = app({"prompt": "131000"})
    assert "prompt + out = 132024 tokens exceeds the model's maximum context 131072" in warnings(at)


def test_prices_of_a_batch_that_does_not_fit_are_marked_with_the_max_batch():
    at = app({"batch": "256"})
    shown = metrics(at)
    marked = ("USD per 1M input tokens", "USD per 1M output tokens", "Output / input cost", "Tokens/s per replica")
    for label in marked:
        assert shown[label].endswith(" (does not fit)"), label
    assert "NOT servable: batch 256 does not fit in HBM at ctx 8,192 (max batch 162)" in texts(at)
    fits = metrics(app())
    assert not any(v.endswith("(does not fit)") for v in fits.values())


def test_prefill_decode_marks_the_prices_of_a_batch_that_does_not_fit():
    at = app({"batch": "256"}, page="pages/prefill_decode.py")
    assert "max batch 162" in warnings(at)
    assert "(does not fit) per 1M output tokens" in at.info[0].value


def test_overview_and_prefill_decode_say_which_context_each_number_uses():
    phrase = "at ctx 8,192 (the Context slider); this request's decode sees 4,096–5,119"
    overview = texts(app())
    assert phrase in overview and "input cost and TTFT at the **prompt of 4,096 tokens**" in overview
    assert phrase in app(page="pages/prefill_decode.py").info[0].value


def test_the_floor_at_this_context_is_beside_the_weights_only_floor():
    link = {"preset": "long-context-200k"}
    _, dep = deployment(link)
    at = app(link, page="pages/latency.py")
    shown = metrics(at)
    assert shown["Latency floor"] == fmt.duration(model_metrics.latency_floor_s(dep))
    assert shown["Floor at this context"] == fmt.duration(model_metrics.latency_floor_at_context_s(dep, 200_000))
    text = texts(at)
    assert "reads every weight once" not in text
    assert "reads the weights a batch-1 step touches (active experts)" in text
    overview = app(link)
    assert "21.6 GB of weights a batch-1 step touches (active experts)" in texts(overview)
    assert "11x the floor at this context" in texts(overview)  # 9.8x before the kernels of F100 (~1,300 x 3 µs)


def test_weights_stored_is_one_number_and_the_weights_read_are_named_apart():
    overview = app()
    assert metrics(overview)["Weights stored"] == "141 GB"
    assert "a decode step reads 139 GB (the input embedding is a lookup)" in texts(overview)
    why = app(page="pages/prefill_decode.py").info[0].value
    assert "139 GB of weights (plus 4.29 GB of embedding rows looked up, one per token)" in why
    assert "143 GB" not in why and "141 GB" not in why


def test_an_overloaded_serving_run_says_the_queue_grows_with_the_capacity_and_the_rate():
    at = app({"sv_rate": "1000", "sv_n": "2000"}, page="pages/serving.py")
    _, dep = deployment()
    saturated, _ = run_policies(dep, Workload.shaped(2000, float("inf"), "uniform", 1024, "exponential", 256), 64)
    check = load_check(1000, saturated)
    said = warnings(at)
    assert "queue grows without bound" in said and "Requests arrive at 1,000 requests/s" in said
    assert f"continuous + PagedAttention {fmt.number(check.capacity_per_s['continuous'])} requests/s" in said
    default = app(page="pages/serving.py")
    assert not default.warning  # continuous batching keeps up at 8 requests/s ...
    assert "Static batching cannot keep up" in default.info[0].value  # ... static batching does not
