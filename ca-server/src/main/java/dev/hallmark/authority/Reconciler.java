package dev.hallmark.authority;

import dev.hallmark.authority.lint.Finding;
import dev.hallmark.authority.lint.LintContext;
import dev.hallmark.authority.lint.Linter;
import dev.hallmark.authority.profile.Profile;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.LedgerEntry;
import dev.hallmark.ledger.VerificationReport;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * {@code hallmark verify}: proves RELIABILITY N1–N9 as far as the authority core goes. It reads; it never repairs.
 *
 * <ul>
 *   <li>N3: no (issuer, serial) is assigned twice.</li>
 *   <li>I1/I2/N1/N2: every reserved serial has its ledger "signing" entry; every ISSUED serial has its stored
 *       certificate, whose TBS hash equals the intent's, whose signature verifies with the issuer's key and whose
 *       fingerprint equals the ledger's "issued" entry; no certificate is stored without an ISSUED serial.</li>
 *   <li>Outcome unknown: serials left in SIGNING longer than the grace period are listed (revocable by serial).</li>
 *   <li>I8/N4: every revoked serial has its ledger revocation entry; keyCompromise blocks the key.</li>
 *   <li>N6: the ledger verifies end to end.</li>
 *   <li>N9: every stored certificate passes the linter again.</li>
 * </ul>
 * Streaming over serials, so memory grows with the number of ledger subjects, not with certificate size.
 */
public final class Reconciler {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Set<AuditEventType> TRACKED = EnumSet.of(AuditEventType.CERTIFICATE_SIGNING,
            AuditEventType.CERTIFICATE_ISSUED, AuditEventType.CERTIFICATE_ABORTED, AuditEventType.SIGNATURE_FAULT,
            AuditEventType.CERTIFICATE_REVOKED, AuditEventType.REVOCATION_REASON_RAISED, AuditEventType.KEY_BLOCKED);

    private final CertificateStore store;
    private final AuditLedger ledger;
    private final Authority authority;
    private final Linter linter;
    private final Clock clock;
    private final Duration grace;
    private final Checkpoint anchor;

    /**
     * @param store     durable state
     * @param ledger    the audit ledger
     * @param authority for CA certificates and profiles
     * @param linter    the same linter issuance uses
     * @param clock     time source
     * @param grace     how long a serial may stay in SIGNING before it is reported as "outcome unknown"
     * @param anchor    a checkpoint remembered outside the database (catches tail truncation), or null
     */
    public Reconciler(CertificateStore store, AuditLedger ledger, Authority authority, Linter linter, Clock clock,
                      Duration grace, Checkpoint anchor) {
        this.store = store;
        this.ledger = ledger;
        this.authority = authority;
        this.linter = linter;
        this.clock = clock;
        this.grace = grace;
        this.anchor = anchor;
    }

    /**
     * The outcome of one reconciliation.
     *
     * @param serials        serials examined
     * @param issued         of which ISSUED
     * @param revoked        of which revoked
     * @param outcomeUnknown serials in SIGNING past the grace period ({@code issuer/serial})
     * @param ledger         the ledger's own verification
     * @param problems       every violation found; empty means N1–N9 hold as far as checked
     */
    public record Report(long serials, long issued, long revoked, List<String> outcomeUnknown,
                         VerificationReport ledger, List<String> problems) {
        public Report {
            outcomeUnknown = List.copyOf(outcomeUnknown);
            problems = List.copyOf(problems);
        }

        /** True when nothing is wrong. "Outcome unknown" serials are problems: an operator must look at them. */
        public boolean ok() {
            return problems.isEmpty() && outcomeUnknown.isEmpty() && ledger.ok();
        }
    }

    /** Runs every check. */
    public Report run() {
        ledger.integrate();
        Map<String, EnumSet<AuditEventType>> events = new HashMap<>();
        Map<String, String> issuedFingerprints = new HashMap<>();
        long size = ledger.treeSize();
        for (long from = 0; from < size; ) {
            List<LedgerEntry> page = ledger.entries(from, 1000);
            if (page.isEmpty()) {
                break;
            }
            for (LedgerEntry e : page) {
                if (TRACKED.contains(e.type())) {
                    events.computeIfAbsent(e.subject(), k -> EnumSet.noneOf(AuditEventType.class)).add(e.type());
                    if (e.type() == AuditEventType.CERTIFICATE_ISSUED) {
                        issuedFingerprints.put(e.subject(), e.details().get("sha256"));
                    }
                }
            }
            from += page.size();
        }
        List<String> problems = new ArrayList<>();
        for (String dup : store.duplicateSerials()) {
            problems.add("N3: serial assigned twice: " + dup);
        }
        List<String> unknown = new ArrayList<>();
        Map<String, PublicKey> caKeys = new HashMap<>();
        Instant cutoff = clock.instant().minus(grace);
        long[] counts = new long[3];
        store.forEachSerial(s -> {
            counts[0]++;
            String subject = s.intent().issuer() + "/" + s.intent().serial().hex();
            Set<AuditEventType> seen = events.getOrDefault(subject, EnumSet.noneOf(AuditEventType.class));
            if (!seen.contains(AuditEventType.CERTIFICATE_SIGNING)) {
                problems.add("I1: serial " + subject + " has no ledger 'signing' entry");
            }
            switch (s.state()) {
                case ISSUED -> {
                    counts[1]++;
                    checkIssued(s, subject, seen, issuedFingerprints.get(subject), caKeys, problems);
                }
                case SIGNING -> {
                    if (s.intent().reservedAt().isBefore(cutoff)) {
                        unknown.add(subject);
                    }
                }
                case ABORTED -> {
                    if (!seen.contains(AuditEventType.CERTIFICATE_ABORTED) && !seen.contains(AuditEventType.SIGNATURE_FAULT)) {
                        problems.add("ledger: aborted serial " + subject + " has no 'aborted' entry");
                    }
                    if (store.certificate(s.intent().issuer(), s.intent().serial()).isPresent()) {
                        problems.add("I2: aborted serial " + subject + " has a stored certificate");
                    }
                }
            }
            if (s.isRevoked()) {
                counts[2]++;
                if (!seen.contains(AuditEventType.CERTIFICATE_REVOKED)) {
                    problems.add("I8: revoked serial " + subject + " has no ledger 'revoked' entry");
                }
                if (s.revocationReason() == RevocationReason.KEY_COMPROMISE && !store.isBlocked(s.intent().spkiSha256())) {
                    problems.add("I8: " + subject + " was revoked for keyCompromise but its key is not blocked");
                }
            }
        });
        VerificationReport ledgerReport = anchor == null ? ledger.verify() : ledger.verify(anchor);
        return new Report(counts[0], counts[1], counts[2], unknown, ledgerReport, problems);
    }

    private void checkIssued(SerialRecord s, String subject, Set<AuditEventType> seen, String ledgerFingerprint,
                             Map<String, PublicKey> caKeys, List<String> problems) {
        CertificateRecord cert = store.certificate(s.intent().issuer(), s.intent().serial()).orElse(null);
        if (cert == null) {
            problems.add("I2: serial " + subject + " is ISSUED but no certificate is stored");
            return;
        }
        if (!seen.contains(AuditEventType.CERTIFICATE_ISSUED)) {
            problems.add("I2: certificate " + subject + " has no ledger 'issued' entry");
        } else if (!cert.sha256Fingerprint().equals(ledgerFingerprint)) {
            problems.add("N2: certificate " + subject + " differs from the one the ledger recorded as issued");
        }
        byte[] der = cert.der();
        if (!KeyIdentifiers.sha256Hex(der).equals(cert.sha256Fingerprint())) {
            problems.add("N2: stored DER of " + subject + " does not match its stored fingerprint");
        }
        X509CertificateHolder holder;
        try {
            holder = new X509CertificateHolder(Certificate.getInstance(der));
        } catch (RuntimeException e) {
            problems.add("N9: stored certificate " + subject + " does not parse: " + e.getMessage());
            return;
        }
        try {
            if (!KeyIdentifiers.sha256Hex(holder.toASN1Structure().getTBSCertificate().getEncoded("DER"))
                    .equals(s.intent().tbsSha256())) {
                problems.add("I4: signed TBS of " + subject + " differs from the linted TBS recorded in its intent");
            }
        } catch (IOException e) {
            problems.add("N9: TBS of " + subject + " cannot be encoded");
        }
        PublicKey caKey = caKey(s.intent().issuer(), subject, holder, caKeys, problems);
        if (caKey != null && !signatureValid(holder, caKey)) {
            problems.add("N9: signature of " + subject + " does not verify with CA '" + s.intent().issuer() + "'");
        }
        if (!Hierarchy.ROOT_PROFILE.equals(cert.profile()) && !Hierarchy.SUBORDINATE_PROFILE.equals(cert.profile())) {
            lintAgain(cert, holder, subject, problems);
        }
    }

    private PublicKey caKey(String issuer, String subject, X509CertificateHolder holder, Map<String, PublicKey> caKeys,
                            List<String> problems) {
        PublicKey cached = caKeys.get(issuer);
        if (cached != null) {
            return cached;
        }
        try {
            SigningCa ca = authority.signingCa(issuer);
            PublicKey key = new JcaX509CertificateConverter().setProvider(BC).getCertificate(ca.certificate()).getPublicKey();
            caKeys.put(issuer, key);
            return key;
        } catch (CaException e) {
            // A root's own serial is reserved before the CA row exists: its certificate verifies with itself.
            try {
                return new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder).getPublicKey();
            } catch (java.security.cert.CertificateException ce) {
                problems.add("N9: " + subject + ": issuer '" + issuer + "' unknown and certificate unreadable");
                return null;
            }
        } catch (java.security.cert.CertificateException e) {
            problems.add("N9: certificate of CA '" + issuer + "' cannot be read");
            return null;
        }
    }

    private static boolean signatureValid(X509CertificateHolder holder, PublicKey key) {
        try {
            return holder.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC).build(key));
        } catch (Exception e) {
            return false;
        }
    }

    private void lintAgain(CertificateRecord cert, X509CertificateHolder holder, String subject, List<String> problems) {
        Profile profile;
        SigningCa ca;
        try {
            profile = authority.profiles().get(cert.profile());
            ca = authority.signingCa(cert.issuer());
        } catch (CaException e) {
            return; // profile since removed or CA key offline: linting needs both; other checks still ran
        }
        if (profile.version() != cert.profileVersion()) {
            return; // issued under an older profile version; today's profile is not the yardstick
        }
        List<Finding> findings = linter.lint(holder.toASN1Structure().getTBSCertificate(),
                new LintContext(ca.certificate(), profile, LintContext.Expectation.LEAF, cert.issuedAt()));
        for (Finding f : findings) {
            problems.add("N9: " + subject + " fails lint " + f.rule() + ": " + f.message());
        }
    }
}
