package dev.hallmark.protocol.acme.testing;

import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * acme4j's generic provider with an HTTP client that trusts only the given context (a test server's root), so
 * nothing JVM-wide changes; bench's AcmeLoad does the same. Pass it as {@code new Session(URI, provider)}.
 */
public final class TrustingAcmeProvider extends GenericAcmeProvider {
    private final SSLContext ssl;

    public TrustingAcmeProvider(SSLContext ssl) {
        this.ssl = ssl;
    }

    @Override
    public HttpClient createHttpClient(NetworkSettings settings) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(settings.getTimeout())
                .version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build();
    }
}
