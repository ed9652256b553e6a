package dev.tally.exporter.http;

import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the server's TLS context from a keystore, failing at start-up with the key to fix. */
final class TlsContexts {
  private TlsContexts() {}

  static SSLContext fromKeystore(Path path, char[] password, String type) {
    KeyStore keyStore;
    try {
      keyStore = KeyStore.getInstance(type);
    } catch (KeyStoreException e) {
      throw new InvalidConfigException(
          TallyConfig.HTTP_TLS_KEYSTORE_TYPE, "'" + type + "' is not a keystore type");
    }
    try (InputStream in = Files.newInputStream(path)) {
      keyStore.load(in, password);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new InvalidConfigException(
            TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD, "does not open " + path);
      }
      throw new InvalidConfigException(
          TallyConfig.HTTP_TLS_KEYSTORE_PATH, "cannot read keystore " + path + ": " + e);
    } catch (GeneralSecurityException e) {
      throw new InvalidConfigException(
          TallyConfig.HTTP_TLS_KEYSTORE_PATH, "cannot read keystore " + path + ": " + e);
    }
    try {
      if (Collections.list(keyStore.aliases()).stream().noneMatch(a -> isKey(keyStore, a))) {
        throw new InvalidConfigException(
            TallyConfig.HTTP_TLS_KEYSTORE_PATH, path + " holds no private key");
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, password);
      // The same keystore is what instances trust when they call each other (the query API's
      // fan-out): every instance of a deployment serves a certificate from it.
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(keyStore);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (UnrecoverableKeyException e) {
      throw new InvalidConfigException(
          TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD, "does not open the key in " + path);
    } catch (GeneralSecurityException e) {
      throw new InvalidConfigException(
          TallyConfig.HTTP_TLS_KEYSTORE_PATH, "cannot use keystore " + path + ": " + e);
    }
  }

  private static boolean isKey(KeyStore keyStore, String alias) {
    try {
      return keyStore.isKeyEntry(alias);
    } catch (KeyStoreException e) {
      return false;
    }
  }
}
