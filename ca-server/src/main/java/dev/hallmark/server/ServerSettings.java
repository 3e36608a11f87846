package dev.hallmark.server;

import dev.hallmark.config.ConfigNode;
import java.time.Duration;
import java.util.List;

/**
 * The server's part of {@code hallmark.yaml}, validated at start (a bad value names its key). Listener keys are
 * SPEC's public contract; {@code server.*} holds the limits applied to every route before any parsing.
 *
 * @param httpsHost           address of the HTTPS listener
 * @param httpsPort           its port (0 picks a free one)
 * @param httpsNames          extra DNS names or IP addresses for the HTTPS certificate, besides localhost, 127.0.0.1,
 *                            ::1 and the host name
 * @param httpsProfile        the profile the HTTPS certificate is issued under
 * @param clientCertificates  whether the HTTPS listener asks for (optional) admin client certificates
 * @param httpHost            address of the plain HTTP listener
 * @param httpPort            its port
 * @param managementHost      address of the management listener
 * @param managementPort      its port
 * @param maxConnections      open connections per listener; further ones are closed at once
 * @param maxHeaderBytes      all request headers together (431 above)
 * @param maxRequestLineBytes the request line (414 above)
 * @param requestTimeout      from the request's headers to the end of its response (408 while the body is still
 *                            arriving, 503 otherwise)
 * @param headerTimeout       a connection must send a complete request head within this, or it is closed
 *                            (slow-header protection)
 * @param idleTimeout         a connection with no traffic for this long is closed
 * @param shutdownGrace       how long a shutdown waits for in-flight requests
 * @param workerThreads       size of the named worker pool for blocking work
 * @param checkpointInterval  how often the ledger is integrated and a checkpoint signed when entries are pending
 */
public record ServerSettings(String httpsHost, int httpsPort, List<String> httpsNames, String httpsProfile,
                             boolean clientCertificates, String httpHost, int httpPort, String managementHost,
                             int managementPort, int maxConnections, int maxHeaderBytes, int maxRequestLineBytes,
                             Duration requestTimeout, Duration headerTimeout, Duration idleTimeout,
                             Duration shutdownGrace, int workerThreads, Duration checkpointInterval) {
    public ServerSettings {
        httpsNames = List.copyOf(httpsNames);
    }

    /** Reads the {@code https}, {@code http}, {@code management} and {@code server} sections. */
    public static ServerSettings from(ConfigNode root, int databasePoolSize) {
        ConfigNode https = root.get("https").rejectUnknown("port", "host", "names", "profile", "clientCertificates");
        ConfigNode http = root.get("http").rejectUnknown("port", "host");
        ConfigNode mgmt = root.get("management").rejectUnknown("port", "host");
        ConfigNode s = root.get("server").rejectUnknown("maxConnections", "maxHeaderBytes", "maxRequestLineBytes",
                "requestTimeout", "headerTimeout", "idleTimeout", "shutdownGrace", "workerThreads", "checkpointInterval");
        return new ServerSettings(
                host(https, "0.0.0.0"), https.integer("port", 8443, 0, 65535),
                https.strings("names", List.of()), https.string("profile", "tls-server"),
                https.bool("clientCertificates", true),
                host(http, "0.0.0.0"), http.integer("port", 8080, 0, 65535),
                host(mgmt, "127.0.0.1"), mgmt.integer("port", 9090, 0, 65535),
                s.integer("maxConnections", 10_000, 1, 1_000_000),
                s.integer("maxHeaderBytes", 16 * 1024, 1024, 1024 * 1024),
                s.integer("maxRequestLineBytes", 8 * 1024, 256, 64 * 1024),
                positive(s, "requestTimeout", Duration.ofSeconds(30)),
                positive(s, "headerTimeout", Duration.ofSeconds(10)),
                positive(s, "idleTimeout", Duration.ofSeconds(60)),
                s.duration("shutdownGrace", Duration.ofSeconds(20)),
                s.integer("workerThreads", Math.max(4, databasePoolSize), 1, 1024),
                positive(s, "checkpointInterval", Duration.ofSeconds(10)));
    }

    private static String host(ConfigNode section, String defaultValue) {
        String host = section.string("host", defaultValue).trim();
        if (host.isEmpty() || !host.matches("[0-9A-Za-z.:\\-\\[\\]%]+")) {
            throw section.get("host").error("expected an IP address or host name");
        }
        return host;
    }

    /**
     * A duration of at least one second: the idle timeout is handed to Vert.x in whole seconds, where a sub-second
     * value would become 0, which switches it off.
     */
    private static Duration positive(ConfigNode section, String key, Duration defaultValue) {
        Duration d = section.duration(key, defaultValue);
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
            throw section.get(key).error("expected a duration between 1s and 1d");
        }
        return d;
    }
}
