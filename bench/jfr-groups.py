#!/usr/bin/env python3
"""Where the stream threads spend their time, from a JFR recording (see docs/performance.md).

Usage: jfr print --events jdk.ExecutionSample --stack-depth 40 pipe.jfr | bench/jfr-groups.py

Each execution sample of a Kafka Streams stream thread is attributed to the innermost frame that
falls in one of the groups below; samples matching none count as "other".
"""
import collections
import re
import sys

GROUPS = [
    ("JSON parse (Jackson)", "com.fasterxml.jackson"),
    ("histogram encode/decode", "dev.tally.streams.histogram.HistogramCodec"),
    ("Tally's store serdes", "dev.tally.streams.store.StoreSerdes"),
    ("Tally's store serdes", "dev.tally.streams.store.Codec"),
    ("histogram observe/merge", "dev.tally.streams.histogram."),
    ("aggregates (counter add, copy)", "dev.tally.streams.store.Aggregate"),
    ("Tally's store serdes", "dev.tally.streams.store."),
    ("record cache (NamedCache)", "org.apache.kafka.streams.state.internals.NamedCache"),
    ("RocksDB", "org.rocksdb"),
    ("sensors (Sensor.record)", "org.apache.kafka.common.metrics"),
    ("producer send/serialize", "org.apache.kafka.clients.producer"),
    ("consumer fetch", "org.apache.kafka.clients.consumer"),
    # Before the redesign the reading task was one processor, EventRouter.
    ("router (EventRouter)", "dev.tally.streams.topology.EventRouter"),
    ("parse and map steps", "dev.tally.streams.topology.ParseStep"),
    ("parse and map steps", "dev.tally.streams.topology.MapStep"),
    ("parse and map steps", "dev.tally.streams.topology.EventMapper"),
    ("pre-aggregation (PreAggregator)", "dev.tally.streams.topology.PreAggregator"),
    ("owner (SeriesOwner)", "dev.tally.streams.topology.SeriesOwner"),
]


def main():
    counts = collections.Counter()
    total = 0
    for event in sys.stdin.read().split("jdk.ExecutionSample"):
        thread = re.search(r'sampledThread = "([^"]+)"', event)
        if not thread or "StreamThread" not in thread.group(1) or "producer" in thread.group(1):
            continue
        total += 1
        group = "other"
        for frame in re.findall(r"^\s+([\w.$<>]+)\(", event, re.M):
            match = next((name for name, prefix in GROUPS if frame.startswith(prefix)), None)
            if match:
                group = match
                break
        counts[group] += 1
    print(f"stream-thread samples: {total}")
    for name, n in counts.most_common():
        print(f"{100 * n / max(total, 1):5.1f} %  {name}")


if __name__ == "__main__":
    main()
