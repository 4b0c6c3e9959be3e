#!/usr/bin/env python3
"""Checks GANKit's TensorBoard event files with TensorBoard's own code.

An independent check of what the Swift side writes: the event files are read
by TensorBoard's EventAccumulator (the legacy loader, everything kept), by the
plugin EventAccumulator that `tensorboard --load_fast=false` serves from, and
by this script's own TFRecord parser (framing and masked CRC-32C, written here
from the format's description, not TensorBoard's), and compared with what
GANKit wrote elsewhere (history.csv, samples/epoch-NNN.png, the fixture's
expected.json).

  check-tensorboard.py fixture DIR
      DIR holds one event file from `tensorboard-fixture DIR` and its
      expected.json: scalars float32-exact, histogram statistics recomputed with
      numpy from the raw values and buckets that fit them, images pixel-equal
      (PNG decoded with Pillow), texts equal.
  check-tensorboard.py run LOGDIR OUTDIR [--scalar-every N] [--histogram-every M] [--expect-penalty]
                         [--resumed-at STEP]... [--expect-purge]
      A training run (possibly interrupted and resumed: several event files):
      one continuous curve per tag, steps = the history.csv steps that are
      multiples of the interval, values = history.csv's, one image per epoch
      equal to OUTDIR/samples/epoch-NNN.png, histograms, the configuration text;
      the same steps and values in the server's loader as in EventAccumulator.
      --resumed-at: each later file's session_log START is at STEP + 1;
      --expect-purge: an earlier file holds summaries that a START purges.
  check-tensorboard.py truncated EVENTFILE [--serve false,true]
      Damages copies of the file (last record cut in half, a middle record cut
      in half, a middle record's data CRC, data or length CRC corrupted) and
      checks that TensorBoard loads every record before the damage, stops
      there (TensorBoard 2.21's behaviour, and does not crash), and reads on
      when the rest of a cut record arrives. --serve: also serve each copy and
      report what the servers show (the Rust one reads past a bad data CRC).
  check-tensorboard.py serve LOGDIR [--tag TAG] [--load-fast false,auto]
      Starts `tensorboard` on 127.0.0.1 (a free port) once per loader, reads the
      tag's series over HTTP, compares it with EventAccumulator's, stops it.
  check-tensorboard.py selftest [--serve]
      Writes synthetic logdirs with TensorBoard's own EventFileWriter and proto
      classes (a fixture, a killed-and-resumed run with a session-log purge) and
      runs every check on them, including damaged variants that must fail.

Exits 1 with a line starting "check-tensorboard: FAIL" on the first mismatch.

Rules beyond the spec, chosen here (see also the report of each check):
  * Every event file starts with file_version "brain.Event:2" and then
    session_log START, a fresh run's too (at its first step). TensorBoard's
    Python loader (`--load_fast=false`, plugin_event_accumulator) ignores the
    first START of a run as "the initial start, not a restart": without a
    START in the first file it never purges what a killed run wrote after its
    checkpoint. The legacy EventAccumulator and the Rust data server purge on
    any START.
  * Scalar steps are exactly the history.csv steps that are multiples of the
    interval (no extra step 1 or final step); histograms likewise; metric
    scalars exactly at the rows whose metric column is filled.
  * The `configuration` text is written at the first step of each session:
    step 1 or the step of a session_log START. It is read with the server's
    loader: the legacy EventAccumulator's purge leaves tensor summaries
    (text) in place.
  * samples/epoch-NNN.png counts epochs from 1; history.csv's epoch column
    may count from 0 (mnist-gan's does): the first row is the first epoch.
  * Histogram buckets: TensorFlow's Histogram::Add counts a value v in the
    first bucket whose limit is > v, i.e. bucket i holds [limit[i-1], limit[i])
    (not (limit[i-1], limit[i]]). Either tie-breaking is accepted here: every
    value must lie in the closed range of a bucket whose counts add up; the
    convention that matches exactly is reported.
"""

import argparse
import csv
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import logging

import numpy as np
from PIL import Image

# TensorBoard warns (logging) on every purge; the checks report what matters.
logging.getLogger("tensorboard").setLevel(logging.ERROR)

from tensorboard import data_compat  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator as legacy_ea  # noqa: E402
from tensorboard.backend.event_processing import event_file_loader  # noqa: E402
from tensorboard.backend.event_processing import plugin_event_accumulator as plugin_ea  # noqa: E402
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402
from tensorboard.plugins.text import text_plugin  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


class CheckError(Exception):
    pass


def fail(message):
    raise CheckError(message)


def note(message):
    print("  " + message, flush=True)


SCALAR_TAGS = [
    "loss/discriminator", "loss/generator", "score/real", "score/fake", "time/step_seconds",
    "learning_rate/generator", "learning_rate/discriminator",
]
PENALTY_TAG = "loss/gradient_penalty"
HISTORY_COLUMNS = ["step", "epoch", "batch", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
HISTORY_OF_TAG = {"loss/discriminator": "d_loss", "loss/generator": "g_loss", "score/real": "d_real", "score/fake": "d_fake"}
SUM_RELATIVE_TOLERANCE = 1e-9


# ---------------------------------------------------------------------------
# TFRecord framing and CRC-32C, independent of TensorBoard's reader.

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value


class Record:
    def __init__(self, start, end, data):
        self.start, self.end, self.data = start, end, data  # [start, end) in the file


def parse_records(blob):
    """Returns (records, problem): the records before the first problem, and a
    description of that problem (None for a clean file)."""
    records, pos, n = [], 0, len(blob)
    while pos < n:
        if n - pos < 12:
            return records, f"truncated header at offset {pos}"
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        if masked_crc32c(header) != length_crc:
            return records, f"bad length CRC at offset {pos}"
        if n - pos < 12 + length + 4:
            return records, f"truncated record at offset {pos} (length {length}, {n - pos} bytes left)"
        data = blob[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", blob[pos + 12 + length:pos + 16 + length])
        if masked_crc32c(data) != data_crc:
            return records, f"bad data CRC at offset {pos}"
        records.append(Record(pos, pos + 16 + length, data))
        pos += 16 + length
    return records, None


def event_files(logdir):
    names = sorted(f for f in os.listdir(logdir) if "tfevents" in f and os.path.isfile(os.path.join(logdir, f)))
    if not names:
        fail(f"no event file (name containing 'tfevents') directly in {logdir}")
    return [os.path.join(logdir, f) for f in names]


NAME_PATTERN = re.compile(r"^events\.out\.tfevents\.(\d+)\.(.+)\.(\d+)\.(\d+)$")


def read_event_file(path, require_start=True):
    """Parses one event file with the script's own framing parser; checks the
    CRCs, the file_version record, and the session_log START after it.
    Returns the list of Event protos."""
    name = os.path.basename(path)
    if not NAME_PATTERN.match(name):
        fail(f"{name}: not named events.out.tfevents.<unix seconds>.<hostname>.<pid>.<n>")
    with open(path, "rb") as f:
        blob = f.read()
    records, problem = parse_records(blob)
    if problem:
        fail(f"{name}: {problem} (after {len(records)} good records): the TFRecord framing or its CRC-32C is wrong")
    events = []
    for i, r in enumerate(records):
        e = event_pb2.Event()
        try:
            e.ParseFromString(r.data)
        except Exception as error:  # protobuf's DecodeError
            fail(f"{name}: record {i} at offset {r.start} is not a tensorflow.Event protobuf ({error})")
        events.append(e)
    if not events or events[0].file_version != "brain.Event:2":
        fail(f"{name}: the first record must be file_version \"brain.Event:2\", "
             f"found {events[0] if events else 'no record'}")
    if require_start:
        if len(events) < 2 or events[1].session_log.status != event_pb2.SessionLog.START:
            fail(f"{name}: the second record must be session_log {{ status: START }} (every file, a fresh run's "
                 "too: TensorBoard's Python loader ignores the first START of a run, so a resumed run's START "
                 "purges nothing unless the first file had one)")
        start = events[1].step
        later = [e.step for e in events[2:] if e.HasField("summary")]
        if later and min(later) < start:
            fail(f"{name}: summaries at step {min(later)} before the file's session_log START at step {start}")
    return events


def read_logdir(logdir, require_start=True):
    """[(path, events)] for the event files in logdir in TensorBoard's (sorted) order."""
    files = [(p, read_event_file(p, require_start)) for p in event_files(logdir)]
    # TensorBoard reads the files in the order of their names: that must be the order they were written in.
    for (p1, e1), (p2, e2) in zip(files, files[1:]):
        if e2[0].wall_time < e1[0].wall_time:
            fail(f"{os.path.basename(p2)} sorts after {os.path.basename(p1)} but was started earlier "
                 f"(wall time {e2[0].wall_time} < {e1[0].wall_time}): TensorBoard reads files in name order")
    return files


# ---------------------------------------------------------------------------
# TensorBoard's loaders.

def load_legacy(path):
    acc = legacy_ea.EventAccumulator(path, size_guidance={k: 0 for k in legacy_ea.DEFAULT_SIZE_GUIDANCE})
    acc.Reload()
    return acc


def load_plugin(path):
    acc = plugin_ea.EventAccumulator(path, size_guidance={k: 0 for k in plugin_ea.DEFAULT_SIZE_GUIDANCE},
                                     tensor_size_guidance={})
    acc.Reload()
    return acc


def f32_equal(a, b):
    with np.errstate(over="ignore"):
        a, b = np.float32(a), np.float32(b)
    return bool(a == b or (np.isnan(a) and np.isnan(b)))


def text_of(tensor_event, where):
    array = tensor_util.make_ndarray(tensor_event.tensor_proto)
    if array.size != 1:
        fail(f"{where}: the text tensor holds {array.size} strings, expected one")
    value = array.reshape(-1)[0]
    if not isinstance(value, bytes):
        fail(f"{where}: the text tensor is not DT_STRING ({array.dtype})")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"{where}: the text is not UTF-8")
    text_plugin.text_array_to_html(array, enable_markdown=True)  # what the text dashboard does with it
    return text


def text_tags(acc):
    tags = []
    for tag in acc.Tags()["tensors"]:
        if acc.SummaryMetadata(tag).plugin_data.plugin_name == "text":
            tags.append(tag)
    return tags


def decode_png(data, where):
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as error:
        fail(f"{where}: not a PNG Pillow can decode ({error})")
    if image.format != "PNG":
        fail(f"{where}: a {image.format} image, expected PNG")
    if image.mode not in ("L", "RGB"):
        fail(f"{where}: PNG mode {image.mode}, expected L (grey, 8 bits) or RGB")
    array = np.asarray(image)
    return array if array.ndim == 3 else array[:, :, None]


def compare_pixels(actual, expected, where):
    if actual.shape != expected.shape:
        fail(f"{where}: image shape (h, w, c) {actual.shape}, expected {expected.shape}")
    if not np.array_equal(actual, expected):
        diff = np.argwhere(actual != expected)
        y, x, c = diff[0]
        fail(f"{where}: {len(diff)} pixel values differ, first at (y {y}, x {x}, channel {c}): "
             f"{actual[y, x, c]} instead of {expected[y, x, c]}")


def image_values(files):
    """{(tag, step): Summary.Image} from the script's own parse, for colorspace."""
    found = {}
    for _, events in files:
        for e in events:
            for v in e.summary.value:
                if v.HasField("image"):
                    found[(v.tag, e.step)] = v.image
    return found


def check_histogram(h, where, values=None):
    """h: event_accumulator.HistogramValue. values: the raw float32 values, when known.
    Returns the bucket convention that matches the values exactly, if values are given."""
    limits, counts = np.array(h.bucket_limit, dtype=np.float64), np.array(h.bucket, dtype=np.float64)
    if len(limits) == 0 or len(limits) != len(counts):
        fail(f"{where}: {len(limits)} bucket limits and {len(counts)} buckets")
    if np.any(np.diff(limits) <= 0):
        i = int(np.argmax(np.diff(limits) <= 0))
        fail(f"{where}: bucket_limit not increasing at {i + 1}: {limits[i]} then {limits[i + 1]}")
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        fail(f"{where}: bucket counts must be whole numbers >= 0: {counts.tolist()}")
    if h.num <= 0:
        fail(f"{where}: num {h.num}, expected > 0")
    if counts.sum() != h.num:
        fail(f"{where}: the buckets add up to {counts.sum()}, num is {h.num}")
    if not (h.min <= h.max):
        fail(f"{where}: min {h.min} > max {h.max}")
    nonempty = np.nonzero(counts)[0]
    first, last = nonempty[0], nonempty[-1]
    lower = lambda i: -math.inf if i == 0 else limits[i - 1]  # noqa: E731
    if not (lower(first) <= h.min <= limits[first]):
        fail(f"{where}: min {h.min} is not in the first non-empty bucket [{lower(first)}, {limits[first]}]")
    if not (lower(last) <= h.max <= limits[last]):
        fail(f"{where}: max {h.max} is not in the last non-empty bucket [{lower(last)}, {limits[last]}]")
    slack = 1e-9 * h.num * max(abs(h.min), abs(h.max))
    if not (h.num * h.min - slack <= h.sum <= h.num * h.max + slack):
        fail(f"{where}: sum {h.sum} outside [num·min, num·max]")
    if h.sum_squares < 0 or h.sum_squares * h.num < h.sum * h.sum * (1 - 1e-9) - 1e-300:
        fail(f"{where}: sum_squares {h.sum_squares} below sum²/num (sum {h.sum}, num {h.num})")
    # What the histogram dashboard draws: data_compat's [left, right, count] rows.
    value = summary_pb2.Summary.Value(tag="h")
    value.histo.min, value.histo.max, value.histo.num = h.min, h.max, h.num
    value.histo.sum, value.histo.sum_squares = h.sum, h.sum_squares
    value.histo.bucket_limit.extend(h.bucket_limit)
    value.histo.bucket.extend(h.bucket)
    rows = tensor_util.make_ndarray(data_compat.migrate_value(value).tensor)
    if rows.shape[0] == 0 or np.any(rows[:, 0] > rows[:, 1]) or rows[:, 2].sum() != np.float32(h.num):
        fail(f"{where}: TensorBoard's histogram rows [left, right, count] are malformed: {rows.tolist()}")
    if values is None:
        return None
    v = np.asarray(values, dtype=np.float32).astype(np.float64)
    if v.size != h.num:
        fail(f"{where}: num {h.num}, expected {v.size}")
    if h.min != v.min() or h.max != v.max():
        fail(f"{where}: min/max {h.min}/{h.max}, expected {v.min()}/{v.max()}")
    for name, got, want, scale in (("sum", h.sum, v.sum(), np.abs(v).sum()),
                                   ("sum_squares", h.sum_squares, (v * v).sum(), (v * v).sum())):
        if abs(got - want) > SUM_RELATIVE_TOLERANCE * max(scale, 1e-300):
            fail(f"{where}: {name} {got!r}, expected {want!r} (relative tolerance {SUM_RELATIVE_TOLERANCE} "
                 "of the sum of magnitudes: accumulate in Double)")
    # Every value must lie in the closed range of its bucket: with the values sorted, the k-th
    # cumulative count C must satisfy #(v < limit) <= C <= #(v <= limit).
    s = np.sort(v)
    cumulative = np.cumsum(counts)
    below = np.searchsorted(s, limits, side="left")
    at_or_below = np.searchsorted(s, limits, side="right")
    bad = np.nonzero((cumulative < below) | (cumulative > at_or_below))[0]
    if len(bad):
        i = bad[0]
        fail(f"{where}: the values do not fit the buckets: {int(cumulative[i])} counted up to limit {limits[i]}, "
             f"but {int(below[i])} values are below it and {int(at_or_below[i])} at or below it")
    tf_style = np.bincount(np.searchsorted(limits, v, side="right"), minlength=len(limits) + 1)
    right_closed = np.bincount(np.searchsorted(limits, v, side="left"), minlength=len(limits) + 1)
    conventions = []
    if tf_style[-1] == 0 and np.array_equal(tf_style[:-1], counts):
        conventions.append("[a, b) as TensorFlow")
    if right_closed[-1] == 0 and np.array_equal(right_closed[:-1], counts):
        conventions.append("(a, b]")
    return " and ".join(conventions) if conventions else "closed ranges, ties split otherwise"


# ---------------------------------------------------------------------------
# fixture

def check_fixture(directory):
    with open(os.path.join(directory, "expected.json")) as f:
        expected = json.load(f)
    paths = event_files(directory)
    if len(paths) != 1:
        fail(f"the fixture should write one event file, found {len(paths)}")
    files = read_logdir(directory, require_start=False)
    acc = load_legacy(directory)
    tags = acc.Tags()
    counts = {"scalar points": 0, "histograms": 0, "images": 0, "texts": 0}

    want = expected.get("scalars", {})
    if sorted(tags["scalars"]) != sorted(want):
        fail(f"scalar tags {sorted(tags['scalars'])}, expected {sorted(want)}")
    for tag, points in want.items():
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        if [s for s, _ in got] != [int(s) for s, _ in points]:
            fail(f"scalar {tag}: steps {[s for s, _ in got]}, expected {[s for s, _ in points]}")
        for (step, value), (_, expected_value) in zip(got, points):
            if not f32_equal(value, expected_value):
                fail(f"scalar {tag} at step {step}: {value!r}, expected {np.float32(expected_value)!r} (float32)")
        counts["scalar points"] += len(got)

    want = expected.get("histograms", {})
    if sorted(tags["histograms"]) != sorted(want):
        fail(f"histogram tags {sorted(tags['histograms'])}, expected {sorted(want)}")
    conventions = set()
    for tag, spec in want.items():
        got = acc.Histograms(tag)
        if [e.step for e in got] != [spec["step"]]:
            fail(f"histogram {tag}: steps {[e.step for e in got]}, expected [{spec['step']}]")
        conventions.add(check_histogram(got[0].histogram_value, f"histogram {tag}", spec["values"]))
        counts["histograms"] += 1

    want = expected.get("images", {})
    if sorted(tags["images"]) != sorted(want):
        fail(f"image tags {sorted(tags['images'])}, expected {sorted(want)}")
    raw_images = image_values(files)
    for tag, spec in want.items():
        got = acc.Images(tag)
        if [e.step for e in got] != [spec["step"]]:
            fail(f"image {tag}: steps {[e.step for e in got]}, expected [{spec['step']}]")
        h, w, c = spec["height"], spec["width"], spec["channels"]
        e = got[0]
        if (e.width, e.height) != (w, h):
            fail(f"image {tag}: width × height {e.width} × {e.height} in the proto, expected {w} × {h}")
        colorspace = raw_images[(tag, e.step)].colorspace
        if colorspace != c:
            fail(f"image {tag}: colorspace {colorspace}, expected {c} (1 grey, 3 RGB)")
        pixels = np.array(spec["pixels"], dtype=np.uint8)
        if pixels.size != h * w * c:
            fail(f"expected.json: image {tag} has {pixels.size} pixel bytes for {h} × {w} × {c}")
        compare_pixels(decode_png(e.encoded_image_string, f"image {tag}"), pixels.reshape(h, w, c), f"image {tag}")
        counts["images"] += 1

    want = expected.get("texts", {})
    if sorted(text_tags(acc)) != sorted(want):
        fail(f"text tags {sorted(text_tags(acc))}, expected {sorted(want)}")
    for tag, spec in want.items():
        got = acc.Tensors(tag)
        if [e.step for e in got] != [spec["step"]]:
            fail(f"text {tag}: steps {[e.step for e in got]}, expected [{spec['step']}]")
        text = text_of(got[0], f"text {tag}")
        if text != spec["text"]:
            fail(f"text {tag}: {text!r}, expected {spec['text']!r}")
        counts["texts"] += 1

    compare_loaders(directory, acc)
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"fixture OK: {summary}; histogram buckets: {', '.join(sorted(c for c in conventions if c))}")
    return conventions


# ---------------------------------------------------------------------------
# run

def read_history(outdir):
    path = os.path.join(outdir, "history.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][:len(HISTORY_COLUMNS)] != HISTORY_COLUMNS:
        fail(f"{path}: header {rows[0] if rows else None}, expected {','.join(HISTORY_COLUMNS)}[,metrics…]")
    header = rows[0]
    history = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            fail(f"{path}:{line}: {len(row)} fields, the header has {len(header)}")
        record = dict(zip(header, row))
        for key in ("step", "epoch", "batch"):
            record[key] = int(record[key])
        history.append(record)
    steps = [r["step"] for r in history]
    if steps and steps != list(range(steps[0], steps[0] + len(steps))):
        fail(f"{path}: steps are not consecutive: {steps[:5]}…")
    return header[len(HISTORY_COLUMNS):], history


def series(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)] if tag in acc.Tags()["scalars"] else []


def check_steps(kind, tag, steps, expected_steps):
    if len(set(steps)) != len(steps):
        dupes = sorted({s for s in steps if steps.count(s) > 1})
        fail(f"{kind} {tag}: duplicate steps {dupes[:10]} (a resumed run's session_log START did not purge them)")
    if steps != sorted(steps):
        fail(f"{kind} {tag}: steps not increasing: {steps[:20]}")
    if steps != expected_steps:
        missing = sorted(set(expected_steps) - set(steps))
        extra = sorted(set(steps) - set(expected_steps))
        fail(f"{kind} {tag}: steps differ from the expected ones; missing {missing[:10]}, extra {extra[:10]} "
             f"({len(steps)} found, {len(expected_steps)} expected)")


def compare_loaders(logdir, acc, plugin=None, texts=True):
    """The server's Python loader (plugin_event_accumulator, which converts every summary to a
    tensor) must see the same steps and scalar values as the legacy EventAccumulator. (Texts only
    where no purge is involved: the legacy EventAccumulator does not purge tensor summaries.)"""
    plugin = plugin or load_plugin(logdir)
    tags = acc.Tags()
    plugin_tags = set(plugin.Tags()["tensors"])
    for kind, tag_list in (("scalar", tags["scalars"]), ("histogram", tags["histograms"]),
                           ("image", tags["images"]), ("text", text_tags(acc) if texts else [])):
        for tag in tag_list:
            if tag not in plugin_tags:
                fail(f"{kind} {tag}: not seen by TensorBoard's server-side loader (plugin_event_accumulator)")
            theirs = plugin.Tensors(tag)
            ours = {"scalar": acc.Scalars, "histogram": acc.Histograms, "image": acc.Images,
                    "text": acc.Tensors}[kind](tag)
            their_steps, our_steps = [e.step for e in theirs], [e.step for e in ours]
            if their_steps != our_steps:
                i = next((i for i, (a, b) in enumerate(zip(their_steps, our_steps)) if a != b),
                         min(len(their_steps), len(our_steps)))
                dupes = sorted({x for x in their_steps if their_steps.count(x) > 1})
                fail(f"{kind} {tag}: TensorBoard's server-side loader (--load_fast=false) sees {len(their_steps)} "
                     f"steps, the EventAccumulator {len(our_steps)}; from position {i}: {their_steps[i:i + 8]} "
                     f"against {our_steps[i:i + 8]}"
                     + (f"; duplicate steps {dupes[:8]}: it did not purge (it ignores the first session_log "
                        "START of a run as the initial start: every event file needs one)" if dupes else ""))
            if kind == "scalar":
                for t, o in zip(theirs, ours):
                    if not f32_equal(tensor_util.make_ndarray(t.tensor_proto).item(), o.value):
                        fail(f"scalar {tag} at step {o.step}: the server-side loader reads a different value")


def check_sessions(files, resumed_at, expect_purge):
    """resumed_at: the checkpoint steps the later files were resumed from, in order: each later file's
    session_log START must be at that step + 1. expect_purge: an earlier file must hold summaries at
    or after a later file's START (what a killed run wrote past its checkpoint), so that the purge
    was exercised, not just declared."""
    starts = [events[1].step for _, events in files]
    if resumed_at is not None:
        want = [1] + [n + 1 for n in resumed_at]
        if starts[1:] != want[1:] or len(starts) != len(want):
            fail(f"session_log START steps of the event files {starts}, expected {want} (a fresh run, then each "
                 f"resumed run at its checkpoint step {resumed_at} + 1)")
    purged = 0
    for i, (_, events) in enumerate(files):
        later = min(starts[i + 1:], default=None)
        if later is not None:
            purged += sum(len(e.summary.value) for e in events if e.HasField("summary") and e.step >= later)
    if expect_purge and not purged:
        fail(f"no event file holds summaries past a later file's session_log START (starts {starts}): "
             "the purge was not exercised")
    return purged


def check_run(logdir, outdir, scalar_every=10, histogram_every=500, expect_penalty=False, require_start=True,
              resumed_at=None, expect_purge=False):
    metric_columns, history = read_history(outdir)
    if not history:
        fail(f"{outdir}/history.csv has no rows")
    by_step = {r["step"]: r for r in history}
    files = read_logdir(logdir, require_start)
    starts = [e.step for _, events in files for e in events if e.session_log.status == event_pb2.SessionLog.START]
    purged = check_sessions(files, resumed_at, expect_purge) if require_start else 0
    acc = load_legacy(logdir)
    tags = acc.Tags()
    counts = {"event files": len(files), "scalar points": 0, "histograms": 0, "images": 0, "texts": 0}

    # Scalars.
    expected_steps = [r["step"] for r in history if r["step"] % scalar_every == 0]
    if not expected_steps:
        fail(f"no history step is a multiple of --scalar-every {scalar_every}: nothing to check")
    required = SCALAR_TAGS + ([PENALTY_TAG] if expect_penalty else [])
    for tag in required:
        if tag not in tags["scalars"]:
            fail(f"scalar {tag} missing (scalar tags: {sorted(tags['scalars'])})")
    if not expect_penalty and PENALTY_TAG in tags["scalars"]:
        fail(f"scalar {PENALTY_TAG} written, but no penalty was expected (pass --expect-penalty)")
    for tag in required:
        points = series(acc, tag)
        check_steps("scalar", tag, [s for s, _ in points], expected_steps)
        column = HISTORY_OF_TAG.get(tag)
        for step, value in points:
            if column and not f32_equal(value, float(by_step[step][column])):
                fail(f"scalar {tag} at step {step}: {np.float32(value)!r}, history.csv {column} says "
                     f"{by_step[step][column]}")
            if not column and not (math.isfinite(value) and value >= 0):
                fail(f"scalar {tag} at step {step}: {value}, expected a finite value >= 0")
            if tag.startswith("learning_rate/") and value <= 0:
                fail(f"scalar {tag} at step {step}: {value}, expected > 0")
        counts["scalar points"] += len(points)

    # Sample-quality metrics: at the rows where history.csv has them.
    metric_tags = sorted(t for t in tags["scalars"] if t.startswith("metrics/"))
    expected_metric_tags = sorted(f"metrics/{c}" for c in metric_columns if any(r[c] != "" for r in history))
    if metric_tags != expected_metric_tags:
        fail(f"metric scalars {metric_tags}, expected {expected_metric_tags} (history.csv's filled metric columns)")
    for column in metric_columns:
        tag = f"metrics/{column}"
        if tag not in metric_tags:
            continue
        points = series(acc, tag)
        check_steps("scalar", tag, [s for s, _ in points], [r["step"] for r in history if r[column] != ""])
        for step, value in points:
            if not f32_equal(value, float(by_step[step][column])):
                fail(f"scalar {tag} at step {step}: {np.float32(value)!r}, history.csv says {by_step[step][column]} "
                     f"(float32 {np.float32(float(by_step[step][column]))!r})")
        counts["scalar points"] += len(points)
    unknown = sorted(set(tags["scalars"]) - set(required) - set(metric_tags))
    if unknown:
        note(f"other scalar tags (not checked): {unknown}")

    # Images: one per epoch, at the epoch's last step, equal to samples/epoch-NNN.png, NNN counted
    # from 1 (history.csv's epoch column may count from 0: the first row is the first epoch).
    epochs = sorted({r["epoch"] for r in history})
    first_epoch = history[0]["epoch"]
    last_step = {e: max(r["step"] for r in history if r["epoch"] == e) for e in epochs}
    if "samples" not in tags["images"]:
        fail(f"image samples missing (image tags: {tags['images']})")
    images = acc.Images("samples")
    check_steps("image", "samples", [e.step for e in images], [last_step[e] for e in epochs])
    raw_images = image_values(files)
    for epoch, event in zip(epochs, images):
        where = f"image samples at step {event.step} (epoch {epoch - first_epoch + 1})"
        pixels = decode_png(event.encoded_image_string, where)
        if (event.width, event.height) != (pixels.shape[1], pixels.shape[0]):
            fail(f"{where}: the proto says {event.width} × {event.height}, the PNG is "
                 f"{pixels.shape[1]} × {pixels.shape[0]}")
        if raw_images[("samples", event.step)].colorspace != pixels.shape[2]:
            fail(f"{where}: colorspace {raw_images[('samples', event.step)].colorspace}, the PNG has "
                 f"{pixels.shape[2]} channels")
        png = os.path.join(outdir, "samples", f"epoch-{epoch - first_epoch + 1:03d}.png")
        if not os.path.exists(png):
            fail(f"{where}: {png} missing")
        with open(png, "rb") as f:
            compare_pixels(pixels, decode_png(f.read(), png), f"{where} against {png}")
        counts["images"] += 1

    # Histograms: parameters and their gradients, for both networks, every M steps.
    histogram_tags = sorted(tags["histograms"])
    expected_steps = [r["step"] for r in history if r["step"] % histogram_every == 0]
    if not expected_steps:
        fail(f"no history step is a multiple of --histogram-every {histogram_every} "
             f"(steps {history[0]['step']}…{history[-1]['step']}): run with a smaller histogram interval")
    for network in ("generator", "discriminator"):
        parameters = [t for t in histogram_tags if t.startswith(network + "/") and not t.endswith("/gradient")]
        gradients = [t for t in histogram_tags if t.startswith(network + "/") and t.endswith("/gradient")]
        if not parameters or not gradients:
            fail(f"histograms: {network} parameters {parameters} and gradients {gradients}, expected both")
        for p in parameters:
            if not re.fullmatch(re.escape(network) + r"/[^/]+", p):
                fail(f"histogram {p}: expected {network}/<parameter path>, e.g. {network}/0.weight")
        if sorted(p + "/gradient" for p in parameters) != gradients:
            fail(f"histograms: {network} parameters {parameters} and gradients {gradients} do not pair up")
    others = [t for t in histogram_tags if not t.startswith(("generator/", "discriminator/"))]
    if others:
        note(f"other histogram tags (checked for form only): {others}")
    for tag in histogram_tags:
        got = acc.Histograms(tag)
        check_steps("histogram", tag, [e.step for e in got], expected_steps)
        for e in got:
            check_histogram(e.histogram_value, f"histogram {tag} at step {e.step}")
        counts["histograms"] += len(got)

    # The configuration text, at the first step of each session. Read with the server's loader:
    # the legacy EventAccumulator's purge leaves tensor summaries (text) alone, so a text that a
    # killed session wrote after the step a later one resumed from would stay there.
    plugin = load_plugin(logdir)
    if "configuration" not in text_tags(plugin):
        fail(f"text configuration missing (text tags: {text_tags(plugin)})")
    texts = plugin.Tensors("configuration")
    allowed = {history[0]["step"]} | set(starts)
    steps = [e.step for e in texts]
    if len(set(steps)) != len(steps) or not set(steps) <= allowed or history[0]["step"] not in steps:
        fail(f"text configuration at steps {steps}, expected at the first step {history[0]['step']} "
             f"and possibly at the session starts {starts}")
    for e in texts:
        text = text_of(e, f"text configuration at step {e.step}")
        for needle in ("Trainer(", "Sequential("):
            if needle not in text:
                fail(f"text configuration at step {e.step} lacks {needle!r}: {text[:200]!r}…")
        counts["texts"] += 1

    compare_loaders(logdir, acc, plugin, texts=False)
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"run OK: {summary}; {len(history)} history steps, session starts at steps {starts}, "
          f"{purged} summaries purged by them")


# ---------------------------------------------------------------------------
# truncated

def expected_content(events):
    """What a loader should hold after these events: {(kind, tag, step)}, with START purges applied."""
    content = []
    for e in events:
        if e.session_log.status == event_pb2.SessionLog.START:
            content = [c for c in content if c[2] < e.step]
        for v in e.summary.value:
            kind = v.WhichOneof("value")
            content.append(({"simple_value": "scalars", "histo": "histograms", "image": "images",
                             "tensor": "tensors"}.get(kind, kind), v.tag, e.step))
    return sorted(content)


def loaded_content(acc):
    content = []
    tags = acc.Tags()
    for kind, getter in (("scalars", acc.Scalars), ("histograms", acc.Histograms), ("images", acc.Images),
                         ("tensors", acc.Tensors)):
        for tag in tags[kind]:
            content.extend((kind, tag, e.step) for e in getter(tag))
    return sorted(content)


def raw_count(path):
    return sum(1 for _ in event_file_loader.RawEventFileLoader(path).Load())


def check_truncated(path, serve_loaders=()):
    with open(path, "rb") as f:
        blob = f.read()
    records, problem = parse_records(blob)
    if problem:
        fail(f"{path}: {problem}: check an undamaged file")
    if len(records) < 4:
        fail(f"{path}: {len(records)} records, need at least 4 to damage the middle")
    events = [event_pb2.Event.FromString(r.data) for r in records]
    name = os.path.basename(path)
    middle = len(records) // 2
    cases = [
        ("last record cut in half", len(records) - 1, blob[:(records[-1].start + records[-1].end) // 2]),
        (f"record {middle} of {len(records)} cut in half", middle,
         blob[:(records[middle].start + records[middle].end) // 2]),
    ]
    r = records[middle]
    corrupt = bytearray(blob)
    corrupt[r.end - 1] ^= 0xFF  # the data CRC
    cases.append((f"record {middle} with a wrong data CRC", middle, bytes(corrupt)))
    corrupt = bytearray(blob)
    corrupt[r.start + 12 + (r.end - r.start - 16) // 2] ^= 0x01  # one bit of the data
    cases.append((f"record {middle} with one data bit flipped", middle, bytes(corrupt)))
    corrupt = bytearray(blob)
    corrupt[r.start + 8] ^= 0xFF  # the length CRC
    cases.append((f"record {middle} with a wrong length CRC", middle, bytes(corrupt)))

    scratch = tempfile.mkdtemp(prefix="tb-truncated-")
    try:
        for what, good, damaged in cases:
            directory = os.path.join(scratch, str(len(os.listdir(scratch))))
            os.mkdir(directory)
            copy = os.path.join(directory, name)
            with open(copy, "wb") as f:
                f.write(damaged)
            mine, _ = parse_records(damaged)
            if len(mine) != good:
                fail(f"{what}: the script's own parser finds {len(mine)} good records, expected {good}")
            try:
                count = raw_count(copy)
                acc = load_legacy(directory)
            except Exception as error:
                fail(f"{what}: TensorBoard raised {type(error).__name__}: {error}")
            if count < good:
                fail(f"{what}: TensorBoard's record reader returned {count} records, expected the {good} before "
                     "the damage")
            behaviour = "stops at the damage" if count == good else f"goes on past it ({count} records)"
            if count != good:
                fail(f"{what}: TensorBoard returned {count} records, {good} precede the damage: it did not stop there "
                     "(the behaviour this check was written against: TensorBoard 2.21 stops at a bad record)")
            want = expected_content(events[:good])
            got = loaded_content(acc)
            if got != want:
                fail(f"{what}: the EventAccumulator holds {len(got)} summaries, the {good} records before the "
                     f"damage have {len(want)}: missing {sorted(set(want) - set(got))[:5]}, "
                     f"extra {sorted(set(got) - set(want))[:5]}")
            # A reader that polls a growing file: reload after the rest of the bytes arrive.
            if "cut" in what:
                acc.Reload()
                with open(copy, "ab") as f:
                    f.write(blob[len(damaged):])
                acc.Reload()
                if loaded_content(acc) != expected_content(events):
                    fail(f"{what}: after the rest of the file was appended, a Reload() did not read it all")
                behaviour += "; after the rest is appended a Reload() reads every record"
            else:
                acc.Reload()
                if loaded_content(acc) != want:
                    fail(f"{what}: a second Reload() changed what was loaded")
                behaviour += ", and a Reload() does not skip it either"
            note(f"{what}: {good} records before it loaded, {len(want)} summaries; TensorBoard {behaviour}")
            if serve_loaders:
                with open(copy, "wb") as f:
                    f.write(damaged)  # undo the appending above
                serve_damaged(directory, what, events, good, serve_loaders)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"truncated OK: {name}, {len(records)} records, {len(cases)} damaged copies")


def serve_damaged(directory, what, events, good, loaders):
    """What a tensorboard server shows of a damaged file: at least what precedes the damage."""
    full = [c for c in expected_content(events) if c[0] == "scalars"]
    if not full:
        note(f"  {what}: no scalar to serve")
        return
    tag = max({c[1] for c in full}, key=lambda t: sum(1 for c in full if c[1] == t))
    before = sum(1 for c in expected_content(events[:good]) if c[:2] == ("scalars", tag))
    after = sum(1 for c in full if c[1] == tag)
    for load_fast in loaders:
        _, series, _, ok, output = serve_series(directory, tag, load_fast, lambda x: len(x) >= before, 30, settle=3)
        if not ok:
            fail(f"{what}: the server with --load_fast={load_fast} shows {len(series or [])} points of {tag}, "
                 f"{before} precede the damage; its output:\n{output}")
        n = len(series)
        behaviour = ("stops at the damage" if n == before else
                     f"reads past the damage ({n} points of {after} in the whole file)")
        note(f"  served with --load_fast={load_fast}: {n} points of {tag}, {before} before the damage: {behaviour}")


# ---------------------------------------------------------------------------
# serve

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


LOADER_NAMES = {"false": "the Python loader", "auto": "the default: the Rust data server where installed",
                "true": "the Rust data server"}


def serve_series(logdir, tag, load_fast, satisfied, timeout, settle=0.0):
    """Starts `tensorboard --logdir logdir` on 127.0.0.1 with --load_fast=load_fast (none for "auto")
    and polls the tag's scalar series until satisfied(series) or timeout seconds; then, if settle,
    waits that long and reads the series once more. Stops the server. Returns (run, series, seconds,
    ok, output): series [(step, value)] (None if never read), ok whether satisfied."""
    port = free_port()
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", os.path.abspath(logdir), "--host", "127.0.0.1",
               "--port", str(port), "--samples_per_plugin", "scalars=1000000", "--reload_interval", "1"]
    if load_fast != "auto":
        command.append(f"--load_fast={load_fast}")
    log = tempfile.TemporaryFile()
    # Its own process group: the Rust data server it starts is stopped with it.
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    series, run, ok, began = None, None, False, time.monotonic()

    def read():
        runs = http_json(f"{base}/data/runs")
        if len(runs) > 1:
            fail(f"--load_fast={load_fast}: several runs {runs} in {logdir}; expected the event files directly in it")
        if not runs:
            return None, None
        query = urllib.parse.urlencode({"run": runs[0], "tag": tag})
        return runs[0], [(int(step), value) for _, step, value in
                         http_json(f"{base}/data/plugin/scalars/scalars?{query}")]

    try:
        while time.monotonic() - began < timeout and server.poll() is None:
            try:
                run, series = read()
                if series is not None and satisfied(series):
                    ok = True
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass  # not up yet, or the tag not loaded yet
            time.sleep(0.5)
        seconds = time.monotonic() - began
        if ok and settle:
            time.sleep(settle)
            run, series = read()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")[-3000:]
        log.close()
    return run, series, seconds, ok, output


def check_serve(logdir, tag="loss/generator", loaders=("false", "auto"), timeout=60):
    acc = load_legacy(logdir)
    if tag not in acc.Tags()["scalars"]:
        fail(f"scalar {tag} not in {logdir}")
    expected = [(e.step, e.value) for e in acc.Scalars(tag)]

    def equal(series):
        return len(series) == len(expected) and all(
            s == es and f32_equal(v, ev) for (s, v), (es, ev) in zip(series, expected))

    for load_fast in loaders:
        run, series, seconds, ok, output = serve_series(logdir, tag, load_fast, equal, timeout)
        if series is None:
            fail(f"--load_fast={load_fast}: no {tag} series from the server within {timeout} s; its output:\n{output}")
        if not ok:
            steps = [s for s, _ in series]
            dupes = sorted({x for x in steps if steps.count(x) > 1})
            i = next((i for i, (a, b) in enumerate(zip(series, expected)) if a[0] != b[0] or not f32_equal(a[1], b[1])),
                     min(len(series), len(expected)))
            fail(f"--load_fast={load_fast}: after {timeout} s the server's {tag} series has {len(series)} points, the "
                 f"EventAccumulator's {len(expected)}; from position {i}: {series[i:i + 5]} against {expected[i:i + 5]}"
                 + (f"; duplicate steps {dupes[:8]}: no purge" if dupes else ""))
        note(f"--load_fast={load_fast} ({LOADER_NAMES.get(load_fast, load_fast)}): run {run!r}, {tag} has the "
             f"EventAccumulator's {len(series)} points (after {seconds:.1f} s)")
    print(f"serve OK: {tag}, {len(expected)} points, loaders {', '.join(loaders)}")


# ---------------------------------------------------------------------------
# selftest: synthetic event files written by TensorBoard's own writer.

def tf_default_bucket_limits():
    positive, v = [], 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    return [-sys.float_info.max] + [-x for x in reversed(positive)] + [0.0] + positive + [sys.float_info.max]


def tf_histogram(values):
    """A HistogramProto as TensorFlow's Histogram::EncodeToProto(preserve_zero_buckets=false) writes it."""
    v = np.asarray(values, dtype=np.float32).astype(np.float64)
    limits = tf_default_bucket_limits()
    counts = np.bincount(np.searchsorted(limits, v, side="right"), minlength=len(limits))
    h = summary_pb2.HistogramProto(min=v.min(), max=v.max(), num=v.size, sum=v.sum(), sum_squares=(v * v).sum())
    i = 0
    while i < len(limits):
        end, count = limits[i], counts[i]
        i += 1
        if count <= 0:
            while i < len(limits) and counts[i] <= 0:
                end, count = limits[i], counts[i]
                i += 1
        h.bucket_limit.append(end)
        h.bucket.append(float(count))
    return h


def numpy_histogram(values, bins=7):
    """What PyTorch's add_histogram writes: np.histogram's edges[1:] as limits (the last bucket closed)."""
    v = np.asarray(values, dtype=np.float32).astype(np.float64)
    counts, edges = np.histogram(v, bins=bins)
    return summary_pb2.HistogramProto(min=v.min(), max=v.max(), num=v.size, sum=v.sum(), sum_squares=(v * v).sum(),
                                      bucket_limit=edges[1:].tolist(), bucket=counts.astype(float).tolist())


def png_bytes(pixels):
    image = Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels, "L" if pixels.shape[2] == 1 else "RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class SyntheticWriter:
    """Events written with TensorBoard's EventFileWriter, which writes file_version first."""

    _counter = 0

    def __init__(self, logdir, wall_time):
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        self.writer = EventFileWriter(logdir, max_queue_size=1000, flush_secs=1000)
        self.wall_time = wall_time
        # A name in the spec's form, sorting after the previous one like real seconds would.
        self.old = self.writer._file_name  # noqa: SLF001
        SyntheticWriter._counter += 1
        self.path = os.path.join(logdir, f"events.out.tfevents.{1700000000 + 100 * SyntheticWriter._counter}.synthetic."
                                         f"{os.getpid()}.0")

    def add(self, step, **fields):
        self.wall_time += 0.01
        self.writer.add_event(event_pb2.Event(wall_time=self.wall_time, step=step, **fields))

    def start(self, step):
        self.add(step, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))

    def values(self, step, *values):
        self.add(step, summary=summary_pb2.Summary(value=list(values)))

    def scalar(self, step, tag, value):
        self.values(step, summary_pb2.Summary.Value(tag=tag, simple_value=value))

    def image(self, step, tag, pixels):
        h, w, c = pixels.shape
        self.values(step, summary_pb2.Summary.Value(tag=tag, image=summary_pb2.Summary.Image(
            height=h, width=w, colorspace=c, encoded_image_string=png_bytes(pixels))))

    def histogram(self, step, tag, histo):
        self.values(step, summary_pb2.Summary.Value(tag=tag, histo=histo))

    def text(self, step, tag, text):
        from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2
        metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[text.encode("utf-8")],
                                        tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
        self.values(step, summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor))

    def close(self):
        self.writer.close()
        os.rename(self.old, self.path)


def synthetic_fixture(directory, seed=1):
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    w = SyntheticWriter(directory, 1700000000.0)
    expected = {"scalars": {}, "histograms": {}, "images": {}, "texts": {}}
    for tag in ("fixture/a", "fixture/b"):
        points = []
        for step in (1, 2, 5, 9):
            value = np.float32(rng.normal() * 10.0 ** rng.integers(-8, 8))
            w.scalar(step, tag, float(value))
            points.append([step, float(str(value))])  # the shortest float32 description, as Swift's JSON
        expected["scalars"][tag] = points
    special = [0.0, -0.0, 1e-45, 3.4028235e38, -1.5, 0.1]
    expected["scalars"]["fixture/special"] = [[i + 1, v] for i, v in enumerate(special)]
    for i, v in enumerate(special):
        w.scalar(i + 1, "fixture/special", v)
    values = (rng.normal(size=997) * 0.05).astype(np.float32)
    values[:3] = [0.0, 1e-12, -1e-12]  # values on TensorFlow's bucket limits
    w.histogram(3, "fixture/weights", tf_histogram(values))
    expected["histograms"]["fixture/weights"] = {"step": 3, "values": [float(str(x)) for x in values]}
    small = np.array([1, 2, 2, 3, 4, 4, 4, 7.5], dtype=np.float32)
    w.histogram(4, "fixture/numpy", numpy_histogram(small))
    expected["histograms"]["fixture/numpy"] = {"step": 4, "values": small.tolist()}
    for tag, shape in (("fixture/grey", (30, 28, 1)), ("fixture/rgb", (5, 7, 3))):
        pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
        w.image(7, tag, pixels)
        expected["images"][tag] = {"step": 7, "width": shape[1], "height": shape[0], "channels": shape[2],
                                   "pixels": pixels.reshape(-1).tolist()}
    text = "mnist-gan --epochs 2\nSequential(\n  Dense(100 → 256)\n)\nTrainer(loss: ns, …) «ünïcode»"
    w.text(1, "fixture/text", text)
    expected["texts"]["fixture/text"] = {"step": 1, "text": text}
    w.close()
    with open(os.path.join(directory, "expected.json"), "w") as f:
        json.dump(expected, f)
    return expected


def synthetic_run(logdir, outdir, *, steps_per_epoch=16, epochs=2, scalar_every=5, histogram_every=10,
                  sessions=((1, 27), (21, 32)), start_first=True, start_offset=1, start_later=True,
                  penalty=False, seed=2):
    """A run of sessions [(first step, last step written)], one event file each: a session that a
    later one starts inside was killed after writing to its last step, and the later one resumed
    from the checkpoint at its first step - 1. Each file starts with session_log START at its first
    step (+ start_offset - 1 for the resumed ones; none if start_first / start_later say so). What a
    killed session wrote at steps a later session rewrites has other values (so a failed purge is
    also a value mismatch), and the configuration text is written at each session's first step."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(outdir, "samples"), exist_ok=True)
    os.makedirs(logdir, exist_ok=True)
    total = steps_per_epoch * epochs
    f32 = lambda: np.float32(rng.normal())  # noqa: E731
    rows = []
    for step in range(1, total + 1):
        epoch = (step - 1) // steps_per_epoch + 1
        row = {"step": step, "epoch": epoch, "batch": (step - 1) % steps_per_epoch + 1,
               "d_loss": f32(), "g_loss": f32(), "d_real": np.float32(rng.random()), "d_fake": np.float32(rng.random()),
               "seconds": np.float32(step * 0.031), "frechet_distance": None, "penalty": np.float32(rng.random())}
        if step % steps_per_epoch == 0:
            row["frechet_distance"] = float(rng.random() * 300)  # a Double
        rows.append(row)
    with open(os.path.join(outdir, "history.csv"), "w") as f:
        f.write(",".join(HISTORY_COLUMNS + ["frechet_distance"]) + "\n")
        for r in rows:
            fields = [str(r[c]) for c in HISTORY_COLUMNS]  # str(np.float32): the shortest float32 description
            fields.append("" if r["frechet_distance"] is None else repr(r["frechet_distance"]))
            f.write(",".join(fields) + "\n")
    grids = {e: rng.integers(0, 256, size=(32, 32, 1), dtype=np.uint8) for e in range(1, epochs + 1)}
    for e, pixels in grids.items():
        Image.fromarray(pixels[:, :, 0], "L").save(os.path.join(outdir, "samples", f"epoch-{e:03d}.png"))
    parameters = {"generator": ["0.weight", "0.bias", "2.weight"], "discriminator": ["0.weight", "2.bias"]}
    config = "mnist-gan --epochs 2 --tensorboard T\nSequential(\n  Dense(100 → 256)\n  …\n)\nTrainer(loss: ns)"

    for index, (first, last) in enumerate(sessions):
        redone = min([f for f, _ in sessions[index + 1:]], default=total + 1)  # steps from here on are stale
        w = SyntheticWriter(logdir, 1700000000.0 + 100 * index)
        if (start_first if index == 0 else start_later):
            w.start(first if index == 0 else first + start_offset - 1)
        w.text(first, "configuration", config)
        for step in range(first, last + 1):
            r = rows[step - 1]
            stale = step >= redone
            garbage = (lambda x: np.float32(x + 1)) if stale else (lambda x: x)  # noqa: E731
            if step % scalar_every == 0:
                for tag, value in (("loss/discriminator", r["d_loss"]), ("loss/generator", r["g_loss"]),
                                   ("score/real", r["d_real"]), ("score/fake", r["d_fake"]),
                                   ("time/step_seconds", np.float32(0.031)),
                                   ("learning_rate/generator", np.float32(2e-4)),
                                   ("learning_rate/discriminator", np.float32(2e-4))):
                    w.scalar(step, tag, float(garbage(value)))
                if penalty:
                    w.scalar(step, PENALTY_TAG, float(r["penalty"]))
            if step % histogram_every == 0:
                for network, paths in parameters.items():
                    for path in paths:
                        values = rng.normal(size=50).astype(np.float32)
                        w.histogram(step, f"{network}/{path}", tf_histogram(values))
                        w.histogram(step, f"{network}/{path}/gradient", tf_histogram(values * 1e-3))
            if r["frechet_distance"] is not None:
                w.scalar(step, "metrics/frechet_distance", float(garbage(np.float32(r["frechet_distance"]))))
                epoch = r["epoch"]
                w.image(step, "samples", 255 - grids[epoch] if stale else grids[epoch])
        w.close()


def expect_failure(what, needle, function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except CheckError as error:
        if needle not in str(error):
            fail(f"selftest: {what} failed, but with an unexpected message: {error}")
        note(f"caught as expected, {what}: {str(error)[:150]}")
        return
    fail(f"selftest: {what} should have failed the check")


def selftest(serve):
    scratch = tempfile.mkdtemp(prefix="tb-selftest-")
    quiet = io.StringIO()
    try:
        # The fixture, and damaged fixtures.
        fixture = os.path.join(scratch, "fixture")
        synthetic_fixture(fixture)
        conventions = check_fixture(fixture)
        if "[a, b) as TensorFlow" not in conventions:
            fail(f"selftest: the TensorFlow-style histogram was not recognised: {conventions}")

        def damaged_fixture(name, change):
            directory = os.path.join(scratch, name)
            synthetic_fixture(directory)
            with open(os.path.join(directory, "expected.json")) as f:
                expected = json.load(f)
            change(expected)
            with open(os.path.join(directory, "expected.json"), "w") as f:
                json.dump(expected, f)
            return directory

        def run_quietly(function, *args, **kwargs):
            stdout = sys.stdout
            sys.stdout = quiet
            try:
                return function(*args, **kwargs)
            finally:
                sys.stdout = stdout

        cases = [
            ("a scalar one float32 ulp off", "expected",
             lambda e: e["scalars"]["fixture/a"][1].__setitem__(1, float(np.nextafter(
                 np.float32(e["scalars"]["fixture/a"][1][1]), np.float32(np.inf))))),
            ("a histogram value changed", "expected",
             lambda e: e["histograms"]["fixture/weights"]["values"].__setitem__(10, 1.0)),
            ("an image pixel changed", "pixel values differ",
             lambda e: e["images"]["fixture/rgb"]["pixels"].__setitem__(4, (e["images"]["fixture/rgb"]["pixels"][4] + 1) % 256)),
            ("a grey image expected as RGB", "colorspace",
             lambda e: e["images"]["fixture/grey"].__setitem__("channels", 3)),
            ("a text changed", "expected", lambda e: e["texts"]["fixture/text"].__setitem__("text", "Trainer()")),
            ("a missing scalar tag", "scalar tags", lambda e: e["scalars"].__setitem__("fixture/c", [[1, 1.0]])),
        ]
        # Buckets that do not fit the values, the statistics right: one count moved to the next bucket.
        small = np.array([1, 2, 2, 3, 4, 4, 4, 7.5], dtype=np.float32)
        h = numpy_histogram(small)
        moved = 1  # [1.93, 2.86) holds the two 2s
        h.bucket[moved] -= 1
        h.bucket[moved + 1] += 1
        expect_failure("a count moved to the next bucket", "do not fit", check_histogram,
                       legacy_ea.HistogramValue(h.min, h.max, h.num, h.sum, h.sum_squares, list(h.bucket_limit),
                                                list(h.bucket)), "histogram", small)
        h = numpy_histogram(small)
        h.bucket_limit[-1] = 7.0
        expect_failure("a last bucket limit below max", "not in the last non-empty bucket", check_histogram,
                       legacy_ea.HistogramValue(h.min, h.max, h.num, h.sum, h.sum_squares, list(h.bucket_limit),
                                                list(h.bucket)), "histogram")
        for what, needle, change in cases:
            expect_failure(f"fixture, {what}", needle, run_quietly, check_fixture,
                           damaged_fixture(f"fixture-{len(os.listdir(scratch))}", change))

        # A killed and resumed run.
        logdir, outdir = os.path.join(scratch, "run", "tb"), os.path.join(scratch, "run", "out")
        synthetic_run(logdir, outdir)
        check_run(logdir, outdir, scalar_every=5, histogram_every=10, resumed_at=[20], expect_purge=True)
        expect_failure("the wrong resume step", "session_log START steps", check_run, logdir, outdir, 5, 10,
                       resumed_at=[19])
        expect_failure("a resume not declared", "session_log START steps", check_run, logdir, outdir, 5, 10,
                       resumed_at=[])
        # The file's legacy EventAccumulator purge and the server's Python loader agree only with the first START.
        files = event_files(logdir)
        if len(files) != 2:
            fail(f"selftest: the synthetic run should have 2 event files, has {len(files)}")

        def variant(name, **kwargs):
            l, o = os.path.join(scratch, name, "tb"), os.path.join(scratch, name, "out")
            synthetic_run(l, o, **kwargs)
            return l, o

        l, o = variant("penalty", penalty=True)
        check_run(l, o, scalar_every=5, histogram_every=10, expect_penalty=True)
        expect_failure("a penalty scalar not asked for", "no penalty was expected", check_run, l, o, 5, 10)
        expect_failure("a missing penalty scalar", PENALTY_TAG, check_run, logdir, outdir, 5, 10, True)
        expect_failure("no session_log START in the resumed file", "second record must be session_log",
                       check_run, *variant("no-start", start_later=False), 5, 10)
        expect_failure("no session_log START in the first file", "second record must be session_log",
                       check_run, *variant("no-first-start", start_first=False), 5, 10)
        # What that rule is for: without a START in the first file, the server's loader keeps the duplicates.
        l, _ = variant("no-first-start-loaders", start_first=False)
        expect_failure("the server-side loader without a first START", "server-side loader",
                       compare_loaders, l, load_legacy(l))
        expect_failure("START at the resumed step (not + 1)", "missing [20]",
                       check_run, *variant("start-early", start_offset=0), 5, 10)
        expect_failure("START at the resumed step + 2", "step 20 before the file's session_log START at step 21",
                       check_run, *variant("start-late", sessions=((1, 27), (20, 32)), start_offset=2), 5, 10)
        # Without the START rule, what TensorBoard shows: the killed run's steps twice.
        expect_failure("no purge, seen by the EventAccumulator", "duplicate steps [25]",
                       check_run, *variant("no-start-loaded", start_later=False), 5, 10, False, False)
        # Resumed twice, the second time from a checkpoint before the first resume: the stale text
        # of the second session (step 25) is purged by the third session's START at 21.
        l, o = variant("twice", sessions=((1, 27), (25, 30), (21, 32)))
        check_run(l, o, 5, 10, resumed_at=[24, 20], expect_purge=True)
        l, o = variant("no-purge-needed", sessions=((1, 20), (21, 32)))
        check_run(l, o, 5, 10, resumed_at=[20])
        expect_failure("a resume that purged nothing", "not exercised", check_run, l, o, 5, 10, expect_purge=True)
        expect_failure("the wrong scalar interval", "steps differ", check_run, logdir, outdir, 10, 10)
        expect_failure("the wrong histogram interval", "histogram", check_run, logdir, outdir, 5, 5)
        expect_failure("a histogram interval longer than the run", "smaller histogram interval",
                       check_run, logdir, outdir, 5, 500)

        def edited(name, edit):
            l, o = variant(name)
            edit(l, o)
            return l, o

        def change_history(l, o):
            path = os.path.join(o, "history.csv")
            with open(path) as f:
                lines = f.read().split("\n")
            fields = lines[25].split(",")  # step 25
            fields[4] = str(np.nextafter(np.float32(fields[4]), np.float32(np.inf)))
            lines[25] = ",".join(fields)
            with open(path, "w") as f:
                f.write("\n".join(lines))

        expect_failure("history.csv's g_loss one ulp off", "history.csv g_loss",
                       check_run, *edited("history", change_history), 5, 10)

        def change_png(l, o):
            path = os.path.join(o, "samples", "epoch-002.png")
            pixels = np.asarray(Image.open(path)).copy()
            pixels[3, 4] ^= 1
            Image.fromarray(pixels, "L").save(path)

        expect_failure("a sample grid PNG one bit off", "pixel values differ",
                       check_run, *edited("png", change_png), 5, 10)

        def corrupt_crc(l, o):
            path = event_files(l)[1]
            with open(path, "r+b") as f:
                f.seek(200)
                byte = f.read(1)
                f.seek(200)
                f.write(bytes([byte[0] ^ 0x10]))

        expect_failure("a flipped bit in an event file", "CRC", check_run, *edited("crc", corrupt_crc), 5, 10)

        def misnamed(l, o):
            first, second = event_files(l)
            os.rename(first, os.path.join(l, "events.out.tfevents.1800000000.synthetic.1.0"))

        expect_failure("event files whose names sort against their order", "name order",
                       check_run, *edited("order", misnamed), 5, 10)

        check_truncated(event_files(logdir)[0])
        check_truncated(os.path.join(fixture, [f for f in os.listdir(fixture) if "tfevents" in f][0]))
        if serve:
            check_serve(logdir)
            l, _ = variant("serve-no-first-start", start_first=False)
            expect_failure("the Python loader serving a run without a first START", "duplicate steps",
                           check_serve, l, loaders=("false",), timeout=20)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("selftest OK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("fixture", help="check tensorboard-fixture's output against its expected.json")
    p.add_argument("directory")
    p = commands.add_parser("run", help="check a training run's event files against its OUT directory")
    p.add_argument("logdir")
    p.add_argument("outdir")
    p.add_argument("--scalar-every", type=int, default=10, metavar="N")
    p.add_argument("--histogram-every", type=int, default=500, metavar="M")
    p.add_argument("--expect-penalty", action="store_true", help=f"require {PENALTY_TAG}")
    p.add_argument("--resumed-at", type=int, action="append", metavar="STEP",
                   help="the checkpoint step a later event file was resumed from (once per resume, in order): "
                        "its session_log START must be at STEP + 1")
    p.add_argument("--expect-purge", action="store_true",
                   help="require that a killed run wrote summaries that a later START purges")
    p = commands.add_parser("truncated", help="check TensorBoard on damaged copies of an event file")
    p.add_argument("eventfile")
    p.add_argument("--serve", default="", metavar="LOADERS",
                   help="also serve each damaged copy with these comma-separated --load_fast values (e.g. "
                        "false,true) and report how many points the server shows")
    p = commands.add_parser("serve", help="check the series a tensorboard server returns over HTTP")
    p.add_argument("logdir")
    p.add_argument("--tag", default="loss/generator")
    p.add_argument("--load-fast", default="false,auto",
                   help="comma-separated --load_fast values to start the server with (default: false,auto)")
    p.add_argument("--timeout", type=float, default=60, help="seconds to wait for each server (default 60)")
    p = commands.add_parser("selftest", help="run every check on synthetic event files written by TensorBoard")
    p.add_argument("--serve", action="store_true", help="also start tensorboard servers (slower)")
    args = parser.parse_args()
    try:
        if args.command == "fixture":
            check_fixture(args.directory)
        elif args.command == "run":
            check_run(args.logdir, args.outdir, args.scalar_every, args.histogram_every, args.expect_penalty,
                      resumed_at=args.resumed_at, expect_purge=args.expect_purge)
        elif args.command == "truncated":
            check_truncated(args.eventfile, tuple(x for x in args.serve.split(",") if x))
        elif args.command == "serve":
            check_serve(args.logdir, args.tag, tuple(args.load_fast.split(",")), args.timeout)
        elif args.command == "selftest":
            selftest(args.serve)
    except CheckError as error:
        print(f"check-tensorboard: FAIL ({args.command}): {error}", file=sys.stderr)
        sys.exit(1)
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as error:
        print(f"check-tensorboard: FAIL ({args.command}): {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
