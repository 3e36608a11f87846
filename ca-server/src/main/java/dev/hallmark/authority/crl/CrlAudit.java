package dev.hallmark.authority.crl;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.DistributionUrls;
import dev.hallmark.config.RevocationSettings;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Checks the published CRLs against the database, independently of how they were built (RELIABILITY N4, N5, N9):
 * for {@code hallmark verify}. Reads everything; writes nothing.
 */
final class CrlAudit {
    private final Authority authority;
    private final CrlStore store;
    private final RevocationSettings.Crl settings;
    private final DistributionUrls urls;
    private final Clock clock;

    CrlAudit(Authority authority, CrlStore store, RevocationSettings.Crl settings, DistributionUrls urls, Clock clock) {
        this.authority = authority;
        this.store = store;
        this.settings = settings;
        this.urls = urls;
        this.clock = clock;
    }

    /**
     * The reconciler's CRL checks for CA {@code ca} (RELIABILITY N4, N5, N9): the newest complete CRL and every
     * partition verify under the CA's key and parse; none is past its nextUpdate; every serial revoked comfortably
     * before a CRL's thisUpdate is on it (and on its partition), and nothing that is not revoked is.
     *
     * @return the problems found, empty when all is well (also when no CRL was published yet)
     */
    List<String> audit(String ca) {
        List<String> problems = new ArrayList<>();
        X509CertificateHolder caCert = authority.cas().stream().filter(c -> c.name().equals(ca))
                .findFirst().map(c -> {
                    try {
                        return new X509CertificateHolder(c.certificateDer());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "no CA '" + ca + "'"));
        List<PublishedCrl> scopes = new ArrayList<>();
        store.latest(ca, CrlKind.COMPLETE, -1).ifPresent(scopes::add);
        for (int k = 0; settings.shards() > 1 && k < settings.shards(); k++) {
            store.latest(ca, CrlKind.SHARD, k).ifPresent(scopes::add);
        }
        Instant now = clock.instant();
        for (PublishedCrl crl : scopes) {
            String name = crl.fileName() + " #" + crl.number();
            Set<BigInteger> listed = new HashSet<>();
            try {
                X509CRLHolder h = new X509CRLHolder(crl.der());
                if (!h.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .build(caCert))) {
                    problems.add(name + ": signature does not verify under CA '" + ca + "'");
                }
                for (Object o : h.getRevokedCertificates()) {
                    listed.add(((X509CRLEntryHolder) o).getSerialNumber());
                }
            } catch (IOException | CertificateException | OperatorCreationException
                     | CertException e) {
                problems.add(name + ": does not parse or verify: " + e.getMessage());
                continue;
            }
            if (!now.isBefore(crl.nextUpdate())) {
                problems.add(name + ": past its nextUpdate " + crl.nextUpdate() + " (relying parties get a stale CRL)");
            }
            Instant settled = crl.thisUpdate().minus(Crls.LATE_COMMIT);
            Set<BigInteger> revoked = new HashSet<>();
            authority.forEachLiveSerial(ca, crl.thisUpdate().minus(settings.validity()), true, s -> {
                BigInteger serial = s.intent().serial().value();
                if (crl.kind() == CrlKind.SHARD && urls.shardOf(s.intent().serial()) != crl.shard()) {
                    return;
                }
                revoked.add(serial);
                if (s.revokedAt().isBefore(settled) && !listed.contains(serial)) {
                    problems.add(name + ": serial " + s.intent().serial().hex() + " revoked at " + s.revokedAt() + " is missing");
                }
            });
            for (BigInteger serial : listed) {
                if (!revoked.contains(serial)) {
                    problems.add(name + ": lists serial " + serial.toString(16) + ", which is not revoked here (or expired long ago)");
                }
            }
        }
        return problems;
    }
}
