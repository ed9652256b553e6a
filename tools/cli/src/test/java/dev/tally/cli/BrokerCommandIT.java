package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerCommandIT {
  private static final Pattern READY =
      Pattern.compile("(?m)^Kafka broker \\(KRaft\\) ready at (127\\.0\\.0\\.1):(\\d+)$");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final StopSignal stop = StopSignal.manual();

  private CompletableFuture<Integer> startTally(Map<String, String> env, String... args) {
    return CompletableFuture.supplyAsync(
        () ->
            TallyCli.commandLine(new CliEnvironment(env, stop))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args));
  }

  @Test
  void shouldServeKafkaClientsAtThePrintedAddressUntilStopped(@TempDir Path dataDir)
      throws Exception {
    CompletableFuture<Integer> exit =
        startTally(Map.of(), "broker", "--port", "0", "--data-dir", dataDir.toString());
    Matcher ready = awaitReadyLine(exit);
    String address = ready.group(1) + ":" + ready.group(2);

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", address))) {
      Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
      assertThat(nodes).hasSize(1);
      Node node = nodes.iterator().next();
      assertThat(node.host() + ":" + node.port()).isEqualTo(address);
    }
    assertThat(out.toString()).contains("try: kcat -L -b " + address);

    stop.request();
    assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    assertThat(READY.matcher(out.toString()).results()).hasSize(1);
    assertThat(out.toString()).endsWith("Kafka broker stopped" + System.lineSeparator());
    assertThat(dataDir.resolve("meta.properties")).as("--data-dir is kept").isRegularFile();
    try (ServerSocket freedAgain =
        new ServerSocket(Integer.parseInt(ready.group(2)), 1, InetAddress.getByName("127.0.0.1"))) {
      assertThat(freedAgain.isBound()).isTrue();
    }
  }

  @Test
  void shouldSayInOneLineThatThePortIsInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      int exit = startTally(Map.of(), "broker", "--port", Integer.toString(port)).get();

      assertThat(exit).isEqualTo(1);
      assertThat(err.toString())
          .isEqualTo("tally: port " + port + " is in use" + System.lineSeparator());
      assertThat(out.toString()).isEmpty();
    }
  }

  @Test
  void shouldStartALocalBrokerForTheDemoWhenNoClusterIsConfigured() throws Exception {
    int exit = startTally(Map.of(), "demo", "--duration", "3s").get(120, TimeUnit.SECONDS);

    assertThat(exit).isZero();
    assertThat(out.toString()).containsPattern(READY);
    assertThat(out.toString())
        .contains("Tally pipeline started", "demo load: ", "Tally pipeline stopped")
        .endsWith("Kafka broker stopped" + System.lineSeparator());
    assertThat(err.toString()).isEmpty();
  }

  private Matcher awaitReadyLine(CompletableFuture<Integer> exit) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher ready = READY.matcher(out.toString());
      if (ready.find()) {
        return ready;
      }
      assertThat(exit).as("tally broker exited early: %s", err).isNotDone();
      Thread.sleep(20);
    }
    throw new AssertionError("no ready line within 60 s; out: " + out + " err: " + err);
  }
}
