package dev.hallmark.protocol.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.protocol.acme.testing.TestDnsServer;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** The VA's bounded DNS client against {@link TestDnsServer}: CNAMEs, TCP fallback and the T21 bounds. */
class DnsClientTest {
    private TestDnsServer dns;
    private DnsClient client;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
        client = new DnsClient(dns.address());
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private static AttemptContext ctx() {
        return new AttemptContext(Duration.ofSeconds(2));
    }

    @Test
    void addressesListIpv6First() throws Exception {
        dns.addA("host.test", "192.0.2.7").addAAAA("host.test", "2001:db8::7");

        assertThat(client.addresses("host.test", ctx()))
                .containsExactly(InetAddress.getByName("2001:db8::7"), InetAddress.getByName("192.0.2.7"));
    }

    @Test
    void cnameChainWithinTheLimitIsFollowed() throws Exception {
        for (int i = 0; i < DnsClient.MAX_CNAME_HOPS; i++) {
            dns.addCname("c" + i + ".test", "c" + (i + 1) + ".test");
        }
        dns.addA("c" + DnsClient.MAX_CNAME_HOPS + ".test", "192.0.2.9");

        assertThat(client.addresses("c0.test", ctx())).containsExactly(InetAddress.getByName("192.0.2.9"));
    }

    @Test
    void cnameChainBeyondTheLimitIsDns() {
        for (int i = 0; i <= DnsClient.MAX_CNAME_HOPS; i++) {
            dns.addCname("c" + i + ".test", "c" + (i + 1) + ".test");
        }
        dns.addA("c" + (DnsClient.MAX_CNAME_HOPS + 1) + ".test", "192.0.2.9");

        assertDns(() -> client.lookup("c0.test", Type.A, ctx()), "CNAME");
    }

    @Test
    void cnameLoopIsDns() {
        dns.addCname("a.loop.test", "b.loop.test").addCname("b.loop.test", "a.loop.test");

        assertDns(() -> client.lookup("a.loop.test", Type.A, ctx()), "loop");
    }

    @Test
    void truncatedUdpAnswerIsRetriedOverTcp() throws Exception {
        for (int i = 0; i < 60; i++) { // ~4 KiB of TXT: more than the 1232-byte EDNS UDP size
            dns.addTxt("many.test", "value-" + i + "-" + "x".repeat(50));
        }

        assertThat(client.lookup("many.test", Type.TXT, ctx()).records()).hasSize(60);
    }

    @Test
    void hugeAnswerIsRefusedNotLoaded() {
        dns.setBig("big.test", 10_000);

        assertDns(() -> client.lookup("big.test", Type.A, ctx()), "records");
    }

    @Test
    void nxdomainAndNodataAreReportedNotThrown() throws Exception {
        dns.addA("exists.test", "192.0.2.1");

        assertThat(client.lookup("missing.test", Type.TXT, ctx()).nxdomain()).isTrue();
        DnsClient.Answer nodata = client.lookup("exists.test", Type.TXT, ctx());
        assertThat(nodata.nxdomain()).isFalse();
        assertThat(nodata.records()).isEmpty();
    }

    @Test
    void unreachableResolverIsDns() {
        dns.close();

        assertDns(() -> client.lookup("any.test", Type.A, new AttemptContext(Duration.ofMillis(500))), "");
    }

    private interface Lookup {
        void run() throws Exception;
    }

    private static void assertDns(Lookup lookup, String detail) {
        assertThatThrownBy(lookup::run).isInstanceOfSatisfying(ValidationFailure.class, f -> {
            assertThat(f.problemType()).isEqualTo("dns");
            assertThat(f.detail()).contains(detail);
        });
    }
}
