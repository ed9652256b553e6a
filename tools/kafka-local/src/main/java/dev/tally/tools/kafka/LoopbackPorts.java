package dev.tally.tools.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/** Free and taken ports on {@value LocalKafkaBroker#HOST}. */
final class LoopbackPorts {
  private LoopbackPorts() {}

  /** A port nothing listens on right now, other than {@code notThis}. */
  static int free(int notThis) {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, host())) {
        if (socket.getLocalPort() != notThis) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on " + LocalKafkaBroker.HOST, e);
      }
    }
  }

  /**
   * @throws PortInUseException if another socket listens on {@code port}
   */
  static void requireFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // Like Kafka's own listener: a port left in TIME_WAIT by an earlier broker counts as free.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host(), port));
    } catch (BindException e) {
      throw new PortInUseException(port, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code failure} comes from a listener that could not bind its port. */
  static boolean isBindFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static InetAddress host() throws UnknownHostException {
    return InetAddress.getByName(LocalKafkaBroker.HOST);
  }
}
