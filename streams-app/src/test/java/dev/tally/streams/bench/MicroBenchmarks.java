package dev.tally.streams.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of {@link HotPaths} and prints one {@code RESULT jmh_<name> <score>
 * ns/op} line each for {@code bench/all.sh}, after JMH's own report. {@code --quick}: 1 fork, one 1
 * s warm-up and two 1 s measurement iterations; otherwise 1 fork, three 2 s warm-ups and five 2 s
 * measurements. Further arguments are regular expressions of the benchmarks to run.
 */
public final class MicroBenchmarks {
  private MicroBenchmarks() {}

  public static void main(String[] args) throws RunnerException {
    boolean quick = false;
    ChainedOptionsBuilder options = new OptionsBuilder().forks(1).shouldFailOnError(true);
    boolean included = false;
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else {
        options.include(arg);
        included = true;
      }
    }
    if (!included) {
      options.include(HotPaths.class.getName() + "\\.");
    }
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(2)
          .measurementTime(TimeValue.seconds(1));
    } else {
      options
          .warmupIterations(3)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(5)
          .measurementTime(TimeValue.seconds(2));
    }
    // A fixed heap for the forked JVM, whatever this JVM was given.
    options.jvmArgs("-Xms1g", "-Xmx1g");
    Collection<RunResult> results = new Runner(options.build()).run();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      System.out.printf(
          Locale.ROOT,
          "RESULT jmh_%s %.1f %s%n",
          name.substring(name.lastIndexOf('.') + 1),
          r.getPrimaryResult().getScore(),
          r.getPrimaryResult().getScoreUnit());
    }
  }
}
