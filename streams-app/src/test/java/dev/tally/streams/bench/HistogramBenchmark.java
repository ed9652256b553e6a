package dev.tally.streams.bench;

import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.HistogramLayout;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.StoreSerdes;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Histogram accuracy and size, in process (no broker): how far the quantiles Tally reports are from
 * the exact ones, and how many bytes a histogram series takes in the stores.
 *
 * <ul>
 *   <li><b>Accuracy</b>: log-normal, uniform and bimodal latencies (fixed seeds) observed into a
 *       {@link Histogram} of the catalog's latency layout ({@code ack_latency_seconds}); its p50,
 *       p99 and p99.9 against the exact quantiles of the same values. The exact q-quantile of n
 *       sorted values is the value at rank {@code ceil(q * n)} (1-based), the rank rule {@link
 *       Histogram#quantile} estimates.
 *   <li><b>Size</b>: 200 series of varied shape (1 to 100,000 observations, medians 2–500 ms,
 *       log-normal spread 0.3–1.5), each stored as Tally stores a cumulative value: {@link
 *       StoreSerdes#cumulative()} of a {@link Cumulative} holding the histogram.
 * </ul>
 *
 * Prints {@code RESULT name value unit} lines for {@code bench/all.sh}. Usage: {@code
 * HistogramBenchmark [observations per distribution=1000000]}.
 */
public final class HistogramBenchmark {
  private static final double[] QUANTILES = {0.5, 0.99, 0.999};
  private static final String[] QUANTILE_NAMES = {"p50", "p99", "p99.9"};
  private static final int SIZE_SERIES = 200;

  private HistogramBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    HistogramLayout layout =
        MetricCatalog.builtin(10_000).metric("ack_latency_seconds").orElseThrow().layout();
    double worst = 0;
    worst = Math.max(worst, accuracy("log-normal", n, layout, logNormal(new SplittableRandom(1))));
    worst = Math.max(worst, accuracy("uniform", n, layout, uniform(new SplittableRandom(2))));
    worst = Math.max(worst, accuracy("bimodal", n, layout, bimodal(new SplittableRandom(3))));
    System.out.printf(Locale.ROOT, "max relative error over p50/p99/p99.9: %.3f %%%n", worst * 100);
    System.out.printf(Locale.ROOT, "RESULT histogram_max_rel_error %.4f %%%n", worst * 100);
    size(layout);
  }

  /** Observes {@code n} values; prints and returns the largest relative error of the quantiles. */
  private static double accuracy(
      String name, int n, HistogramLayout layout, DoubleSupplier values) {
    double[] exact = new double[n];
    Histogram histogram = Histogram.empty(layout);
    for (int i = 0; i < n; i++) {
      exact[i] = values.getAsDouble();
      histogram.observe(exact[i]);
    }
    Arrays.sort(exact);
    double worst = 0;
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s n=%,d", name, n));
    for (int k = 0; k < QUANTILES.length; k++) {
      double q = QUANTILES[k];
      double truth = exact[(int) Math.ceil(q * n) - 1];
      double estimate = histogram.quantile(q);
      double error = Math.abs(estimate - truth) / truth;
      worst = Math.max(worst, error);
      line.append(
          String.format(
              Locale.ROOT,
              "  %s exact %.6f s, tally %.6f s, error %.3f %%",
              QUANTILE_NAMES[k],
              truth,
              estimate,
              error * 100));
    }
    System.out.println(line);
    return worst;
  }

  /** Stored bytes of histogram series of varied shape; prints mean and max. */
  private static void size(HistogramLayout layout) {
    Serializer<Cumulative> serializer = StoreSerdes.cumulative().serializer();
    SplittableRandom random = new SplittableRandom(42);
    long now = 1_764_547_200_000L;
    long totalBytes = 0;
    int maxBytes = 0;
    long totalBuckets = 0;
    for (int s = 0; s < SIZE_SERIES; s++) {
      int observations = (int) Math.round(Math.pow(10, random.nextDouble(0, 5)));
      double median = Math.exp(random.nextDouble(Math.log(0.002), Math.log(0.5)));
      double sigma = random.nextDouble(0.3, 1.5);
      Aggregate aggregate = Aggregate.histogram(layout);
      for (int i = 0; i < observations; i++) {
        aggregate.observe(median * Math.exp(sigma * gaussian(random)));
      }
      totalBuckets += aggregate.histogram().positiveBuckets().size();
      int bytes =
          serializer.serialize("bench", new Cumulative(now - 86_400_000L, now, now, aggregate))
              .length;
      totalBytes += bytes;
      maxBytes = Math.max(maxBytes, bytes);
    }
    double mean = (double) totalBytes / SIZE_SERIES;
    System.out.printf(
        Locale.ROOT,
        "stored histogram series (%d, 1 to 100,000 observations): mean %.0f bytes, max %d bytes,"
            + " %.1f native buckets on average%n",
        SIZE_SERIES,
        mean,
        maxBytes,
        (double) totalBuckets / SIZE_SERIES);
    System.out.printf(Locale.ROOT, "RESULT histogram_bytes_mean %.0f bytes%n", mean);
    System.out.printf(Locale.ROOT, "RESULT histogram_bytes_max %d bytes%n", maxBytes);
  }

  /** Median 50 ms, sigma 1: the shape of most service latencies. */
  private static DoubleSupplier logNormal(SplittableRandom random) {
    return () -> 0.05 * Math.exp(gaussian(random));
  }

  /** Uniform over 1 ms to 2 s. */
  private static DoubleSupplier uniform(SplittableRandom random) {
    return () -> random.nextDouble(0.001, 2.0);
  }

  /** 70 % fast (median 5 ms) and 30 % slow (median 800 ms), both log-normal with sigma 0.3. */
  private static DoubleSupplier bimodal(SplittableRandom random) {
    return () -> (random.nextDouble() < 0.7 ? 0.005 : 0.8) * Math.exp(0.3 * gaussian(random));
  }

  /** A standard normal value (Box–Muller; SplittableRandom has no nextGaussian on Java 17). */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
