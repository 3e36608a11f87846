package dev.hallmark.protocol.acme;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.policy.PolicyDecision;
import java.util.List;
import java.util.Optional;

/** The authority verbs ACME needs (STYLE: the endpoint asks for a handful of verbs, not the whole authority). */
interface AcmeAuthority {
    /** Issues through the core's cycle (policy, profile, lint, intent, sign, store, audit). */
    IssuedCertificate issue(IssuanceRequest request);

    /** Policy on identifiers alone (newOrder). */
    PolicyDecision checkIdentifiers(String profile, List<Identifier> identifiers);

    SerialRecord revoke(RevocationRequest request);

    Optional<CertificateRecord> certificate(String ca, SerialNumber serial);

    /** Certificates naming {@code identifier} among their SANs, newest first (at most 1,000). */
    List<CertificateRecord> certificatesNaming(String identifier);

    /** DER of CA {@code ca}'s certificate and its ancestors up to the root. */
    List<byte[]> chain(String ca);

    /** The names of every CA. */
    List<String> cas();

    static AcmeAuthority of(Authority a) {
        return new AcmeAuthority() {
            @Override
            public IssuedCertificate issue(IssuanceRequest request) {
                return a.issue(request);
            }

            @Override
            public PolicyDecision checkIdentifiers(String profile, List<Identifier> identifiers) {
                return a.policy().evaluateIdentifiers(a.profiles().get(profile), identifiers);
            }

            @Override
            public SerialRecord revoke(RevocationRequest request) {
                return a.revoke(request);
            }

            @Override
            public Optional<CertificateRecord> certificate(String ca, SerialNumber serial) {
                return a.certificate(ca, serial);
            }

            @Override
            public List<CertificateRecord> certificatesNaming(String identifier) {
                return a.search(new CertificateQuery(null, null, null, identifier, null, 1000, 0));
            }

            @Override
            public List<byte[]> chain(String ca) {
                return a.signingCaChain(ca);
            }

            @Override
            public List<String> cas() {
                return a.cas().stream().map(dev.hallmark.authority.CaRecord::name).toList();
            }
        };
    }
}
