package dev.hallmark.protocol.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The deny-list network and the settings record: parsing, matching and start-up validation. */
class NetworkTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "169.254.0.0/16,  169.254.169.254, true",
            "169.254.0.0/16,  169.255.0.1,     false",
            "10.1.2.3/8,      10.200.0.1,      true",
            "0.0.0.0/0,       203.0.113.9,     true",
            "0.0.0.0/0,       2001:db8::1,     false",
            "192.0.2.1,       192.0.2.1,       true",
            "192.0.2.1,       192.0.2.2,       false",
            "fe80::/10,       fe80::1,         true",
            "fe80::/10,       febf:ffff::1,    true",
            "fe80::/10,       fec0::1,         false",
            "::1/128,         ::1,             true",
            "127.0.0.0/8,     ::ffff:127.0.0.1, true"})
    void containsComparesThePrefixBitsOfTheSameFamily(String cidr, String address, boolean expected)
            throws Exception {
        assertThat(Network.parse(cidr).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @Test
    void hostBitsAreClearedAndTheTextIsCanonical() {
        assertThat(Network.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
        assertThat(Network.parse("FE80:0:0::1/10")).hasToString("fe80::/10");
        assertThat(Network.parse("192.0.2.7").prefix()).isEqualTo(32);
        assertThat(Network.parse("10.1.2.3/8")).isEqualTo(Network.parse("10.0.0.0/8"));
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {"", "localhost", "example.com/8", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/",
            "10.0.0.0/8/8", "010.0.0.1/8", "1.2.3/8"})
    void onlyIpLiteralsWithValidPrefixesParse(String text) {
        assertThatThrownBy(() -> Network.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void specialPurposeRangesCoverTheUsualSsrfTargets() throws Exception {
        for (String a : List.of("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1")) {
            InetAddress address = InetAddress.getByName(a);
            assertThat(Network.SPECIAL_PURPOSE).as(a).anyMatch(n -> n.contains(address));
        }
        InetAddress publicAddress = InetAddress.getByName("8.8.8.8");
        assertThat(Network.SPECIAL_PURPOSE).noneMatch(n -> n.contains(publicAddress));
    }

    @Test
    void defaultSettingsAreProductionSafe() {
        ValidationSettings d = ValidationSettings.defaults();

        assertThat(d.http01Port()).isEqualTo(80);
        assertThat(d.tlsAlpn01Port()).isEqualTo(443);
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.denyNetworks()).isEqualTo(Network.SPECIAL_PURPOSE);
        assertThat(d.threads()).isEqualTo(8);
    }

    @Test
    void badSettingsNameTheField() {
        ValidationSettings d = ValidationSettings.defaults();
        assertThatThrownBy(() -> d.withPorts(0, 443)).hasMessageContaining("http01Port");
        assertThatThrownBy(() -> d.withPorts(80, 70000)).hasMessageContaining("tlsAlpn01Port");
        assertThatThrownBy(() -> d.withTimeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> d.withThreads(0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> d.withCaa(Set.of())).hasMessageContaining("caaIdentities");
        assertThat(d.withCaa(Set.of(" CA.Example. ")).caaIdentities()).containsExactly("ca.example");
    }
}
