package dev.tally.streams.histogram;

import java.util.Random;
import java.util.function.BiFunction;

/**
 * Seeded observation streams shaped like the latencies Tally sees, in seconds. The same seed always
 * gives the same values.
 */
enum LatencyShapes {
  /** Request latencies: median 50 ms, log-space sigma 1 (p99 about 0.5 s). */
  LOGNORMAL((random, n) -> lognormal(random, n, 0.050, 1.0)),
  /** Evenly spread between 1 ms and 2 s. */
  UNIFORM(
      (random, n) -> {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
          values[i] = 0.001 + random.nextDouble() * (2.0 - 0.001);
        }
        return values;
      }),
  /** Queue waits: exponential with a 200 ms mean. */
  EXPONENTIAL(
      (random, n) -> {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
          values[i] = -0.200 * Math.log(1 - random.nextDouble());
        }
        return values;
      }),
  /** A cache: 70 % hits near 1 ms, misses near 80 ms, and 0.2 % timeouts near 10 s. */
  BIMODAL(
      (random, n) -> {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
          double u = random.nextDouble();
          double median = u < 0.70 ? 0.001 : u < 0.998 ? 0.080 : 10.0;
          double sigma = u < 0.70 ? 0.3 : u < 0.998 ? 0.25 : 0.05;
          values[i] = median * Math.exp(sigma * random.nextGaussian());
        }
        return values;
      });

  private final BiFunction<Random, Integer, double[]> generator;

  LatencyShapes(BiFunction<Random, Integer, double[]> generator) {
    this.generator = generator;
  }

  double[] sample(long seed, int n) {
    return generator.apply(new Random(seed), n);
  }

  static double[] lognormal(Random random, int n, double median, double sigma) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = median * Math.exp(sigma * random.nextGaussian());
    }
    return values;
  }
}
