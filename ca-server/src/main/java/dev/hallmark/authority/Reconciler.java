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
            AuditEventType.CERTIFICATE_REVOKED, AuditEventType.REVOCATION_REASON_RAISED);

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

    /** What the ledger says about one serial. */
    private static final class Facts {
        final EnumSet<AuditEventType> types = EnumSet.noneOf(AuditEventType.class);
        String issuedFingerprint;
        String revokedAt;
        String reason;
        boolean raisedToKeyCompromise;
    }

    /** Runs every check. Reads only: it neither integrates the ledger nor repairs anything. */
    public Report run() {
        Map<String, Facts> ledgerFacts = readLedger();
        List<String> problems = new ArrayList<>();
        for (String dup : store.duplicateSerials()) {
            problems.add("N3: serial assigned twice: " + dup);
        }
        Map<String, Instant> caRevokedAt = new HashMap<>();
        for (CaRecord ca : store.cas()) {
            String namespace = ca.parentName() == null ? ca.name() : ca.parentName();
            store.serial(namespace, ca.serial()).filter(SerialRecord::isRevoked)
                    .ifPresent(r -> caRevokedAt.put(ca.name(), r.revokedAt()));
        }
        List<String> unknown = new ArrayList<>();
        Map<String, PublicKey> caKeys = new HashMap<>();
        Instant now = clock.instant();
        Instant cutoff = now.minus(grace);
        long[] counts = new long[3];
        java.util.Set<String> seenInDatabase = new java.util.HashSet<>();
        store.forEachSerial(s -> {
            counts[0]++;
            String subject = s.intent().issuer() + "/" + s.intent().serial().hex();
            seenInDatabase.add(subject);
            Facts facts = ledgerFacts.getOrDefault(subject, new Facts());
            if (!facts.types.contains(AuditEventType.CERTIFICATE_SIGNING)) {
                problems.add("I1: serial " + subject + " has no ledger 'signing' entry");
            }
            Instant caRevoked = caRevokedAt.get(s.intent().issuer());
            // Revocation dates are whole seconds (as CRLs and OCSP carry them); reservations are finer. A serial
            // reserved within the revocation's second may predate it, so only later ones are violations.
            if (caRevoked != null && !s.intent().reservedAt().isBefore(caRevoked.plusSeconds(1))) {
                problems.add("I8: " + subject + " was signed after its CA's certificate was revoked at " + caRevoked);
            }
            switch (s.state()) {
                case ISSUED -> {
                    counts[1]++;
                    checkIssued(s, subject, facts.types, facts.issuedFingerprint, caKeys, problems);
                    if (!s.isRevoked() && s.intent().notAfter().isAfter(now) && store.isBlocked(s.intent().spkiSha256())) {
                        problems.add("I8: " + subject + " is unexpired and unrevoked but its key was revoked for "
                                + "keyCompromise elsewhere; revoke it (BR 4.9.1.1)");
                    }
                }
                case SIGNING -> {
                    // Outcome unknown needs an operator until it is revoked (its authoritative answer from then on,
                    // crash points 4-5) or past its notAfter.
                    if (s.intent().reservedAt().isBefore(cutoff) && !s.isRevoked() && s.intent().notAfter().isAfter(now)) {
                        unknown.add(subject);
                    }
                }
                case ABORTED -> {
                    if (!facts.types.contains(AuditEventType.CERTIFICATE_ABORTED)
                            && !facts.types.contains(AuditEventType.SIGNATURE_FAULT)) {
                        problems.add("ledger: aborted serial " + subject + " has no 'aborted' entry");
                    }
                    if (store.certificate(s.intent().issuer(), s.intent().serial()).isPresent()) {
                        problems.add("I2: aborted serial " + subject + " has a stored certificate");
                    }
                }
            }
            checkRevocation(s, subject, facts, problems, store::isBlocked);
            if (s.isRevoked()) {
                counts[2]++;
            }
        });
        for (Map.Entry<String, Facts> e : ledgerFacts.entrySet()) {
            if (e.getValue().types.contains(AuditEventType.CERTIFICATE_SIGNING) && !seenInDatabase.contains(e.getKey())) {
                problems.add("I9: the ledger records serial " + e.getKey() + " but the database has no row for it "
                        + "(restored from an older backup, or deleted); it must be restored before it can be revoked");
            }
        }
        VerificationReport ledgerReport = anchor == null ? ledger.verify() : ledger.verify(anchor);
        return new Report(counts[0], counts[1], counts[2], unknown, ledgerReport, problems);
    }

    /** The database's revocation state must be what the ledger acknowledged: never undone, never re-dated (I8, N4). */
    private static void checkRevocation(SerialRecord s, String subject, Facts facts, List<String> problems,
                                        java.util.function.Predicate<String> blocked) {
        if (s.isRevoked() && !facts.types.contains(AuditEventType.CERTIFICATE_REVOKED)) {
            problems.add("I8: revoked serial " + subject + " has no ledger 'revoked' entry");
        }
        if (facts.revokedAt == null) {
            return;
        }
        if (!s.isRevoked()) {
            problems.add("I8: " + subject + " was revoked at " + facts.revokedAt + " according to the ledger but the "
                    + "database says it is not revoked (revocation undone)");
            return;
        }
        if (!s.revokedAt().toString().equals(facts.revokedAt)) {
            problems.add("I8: " + subject + " revocation date is " + s.revokedAt() + " in the database but "
                    + facts.revokedAt + " in the ledger (re-dated)");
        }
        String expected = facts.raisedToKeyCompromise ? RevocationReason.KEY_COMPROMISE.rfcName() : facts.reason;
        if (!s.revocationReason().rfcName().equals(expected)) {
            problems.add("I8: " + subject + " revocation reason is " + s.revocationReason().rfcName()
                    + " in the database but " + expected + " in the ledger");
        }
        if (s.revocationReason() == RevocationReason.KEY_COMPROMISE && !blocked.test(s.intent().spkiSha256())) {
            problems.add("I8: " + subject + " was revoked for keyCompromise but its key is not blocked");
        }
    }

    /** Every tracked fact of the ledger, integrated entries first, then those not yet integrated. */
    private Map<String, Facts> readLedger() {
        Map<String, Facts> facts = new HashMap<>();
        long size = ledger.treeSize();
        for (long from = 0; from < size; ) {
            List<LedgerEntry> page = ledger.entries(from, 1000);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> record(facts, e));
            from += page.size();
        }
        long after = -1;
        while (true) {
            List<LedgerEntry> page = ledger.pending(after, 1000);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> record(facts, e));
            after = page.get(page.size() - 1).id();
        }
        return facts;
    }

    private static void record(Map<String, Facts> facts, LedgerEntry e) {
        if (!TRACKED.contains(e.type())) {
            return;
        }
        Facts f = facts.computeIfAbsent(e.subject(), k -> new Facts());
        f.types.add(e.type());
        switch (e.type()) {
            case CERTIFICATE_ISSUED -> f.issuedFingerprint = e.details().get("sha256");
            case CERTIFICATE_REVOKED -> {
                if (f.revokedAt == null) {
                    f.revokedAt = e.details().get("revokedAt");
                    f.reason = e.details().get("reason");
                }
            }
            case REVOCATION_REASON_RAISED -> f.raisedToKeyCompromise |=
                    RevocationReason.KEY_COMPROMISE.rfcName().equals(e.details().get("to"));
            default -> {
            }
        }
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
