package dev.hallmark.server;

import io.vertx.core.net.KeyCertOptions;

/** The HTTPS listener's key and certificate chain, as currently in service. */
public interface HttpsIdentity {
    /** The key and chain to serve now. */
    KeyCertOptions keyCertOptions();
}
