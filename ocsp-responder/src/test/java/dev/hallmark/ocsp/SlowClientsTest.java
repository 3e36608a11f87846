package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.Listener;
import dev.hallmark.server.testing.TestServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Idle, half-open and slow connections do not stop the responder answering everyone else (the issue's peers,
 * {@code openssl ocsp} and {@code cfssl ocspserve}, both stall here): with hundreds of such connections open, fresh
 * clients still get their answers. No timing is asserted beyond a generous client timeout.
 */
class SlowClientsTest {

    @Test
    void idleHalfOpenAndDrippingConnectionsDoNotStarveOtherClients() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint()).start()) {
            IssuedCertificate cert = server.pki.issue("tls-server", TestCsr.of("slow.ocsp.example", TestCsr.withFreshKey()));
            byte[] request = OcspClient.request(OcspClient.id(server.pki.issuing.certificate(), cert.record().serial().value()));
            int port = server.port(Listener.HTTP);
            List<Socket> hogs = new ArrayList<>();
            try {
                for (int i = 0; i < 150; i++) { // connected, silent
                    hogs.add(connect(port));
                }
                for (int i = 0; i < 150; i++) { // a request head that never ends
                    Socket s = connect(port);
                    s.getOutputStream().write("POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: applic".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    hogs.add(s);
                }
                for (int i = 0; i < 100; i++) { // a body that never arrives in full
                    Socket s = connect(port);
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\nContent-Length: "
                            + request.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(request, 0, 10);
                    out.flush();
                    hogs.add(s);
                }
                for (int i = 0; i < 50; i++) { // half-closed: the client shut its sending side after a partial request
                    Socket s = connect(port);
                    s.getOutputStream().write("GET /ocsp/MEQw".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    hogs.add(s);
                }
                HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    answers.add(fresh.sendAsync(HttpRequest.newBuilder(server.http("/ocsp")).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/ocsp-request")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray()));
                }
                for (CompletableFuture<HttpResponse<byte[]>> a : answers) {
                    HttpResponse<byte[]> r = a.get();
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(OcspClient.basic(r).getResponses()[0].getCertStatus()).isNull();
                }
            } finally {
                for (Socket s : hogs) {
                    s.close();
                }
            }
        }
    }

    private static Socket connect(int port) throws java.io.IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }
}
