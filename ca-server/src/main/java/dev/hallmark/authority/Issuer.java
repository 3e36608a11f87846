package dev.hallmark.authority;

import dev.hallmark.authority.lint.LintContext;
import dev.hallmark.authority.lint.Linter;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.LedgerException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the issuance cycle from step 3 to step 7 ({@code docs/ISSUANCE-CYCLE.md}) for any to-be-signed
 * certificate, leaf or CA: lint, persist serial and intent with the ledger's "signing" entry, sign in the token
 * (verified), store the certificate with the ledger's "issued" entry, return. A crash at any step leaves no
 * signed certificate unrecorded and no serial reused. Thread-safe.
 */
public final class Issuer {
    private static final Logger LOG = LoggerFactory.getLogger(Issuer.class);
    private static final int SERIAL_ATTEMPTS = 3;

    private final CertificateStore store;
    private final CryptoToken token;
    private final Linter linter;
    private final Clock clock;
    private final SecureRandom random;
    private final String build;

    /**
     * @param store  durable state; its writes carry the audit events
     * @param token  the token holding CA keys, wrapped in a {@link dev.hallmark.hsm.VerifyingToken}
     * @param linter the pre-signing linter
     * @param clock  time source
     * @param random CSPRNG for serials
     * @param build  software build recorded in provenance
     */
    public Issuer(CertificateStore store, CryptoToken token, Linter linter, Clock clock, SecureRandom random, String build) {
        this.store = store;
        this.token = token;
        this.linter = linter;
        this.clock = clock;
        this.random = random;
        this.build = build;
    }

    /** The clock issuance runs on. */
    public Clock clock() {
        return clock;
    }

    /**
     * Issues one certificate. {@code shape} is step 2: it builds the to-be-signed certificate for a serial; it
     * is called again with a fresh serial in the (astronomically unlikely) event of a collision.
     *
     * @throws CaException {@code LINT_FAILED}, {@code TOKEN_UNAVAILABLE}, {@code LEDGER_UNAVAILABLE} or
     *                     {@code INTERNAL}; nothing is returned unless it is stored and audited
     */
    public IssuedCertificate issue(Function<SerialNumber, PreparedCertificate> shape) {
        for (int attempt = 1; attempt <= SERIAL_ATTEMPTS; attempt++) {
            PreparedCertificate prepared = shape.apply(SerialNumber.random(random));
            // Step 3: lint the exact bytes that will be signed.
            byte[] tbsDer = encode(prepared.tbs());
            linter.check(prepared.tbs(), new LintContext(prepared.issuer().certificate(), prepared.profile(),
                    prepared.isCa() ? LintContext.Expectation.CA : LintContext.Expectation.LEAF, clock.instant()));
            // Step 4: persist serial and intent, with the ledger's "signing" entry, before any signature.
            String tbsSha256 = KeyIdentifiers.sha256Hex(tbsDer);
            SerialIntent intent = new SerialIntent(prepared.issuer().name(), prepared.serial(), tbsSha256,
                    prepared.spkiSha256(), prepared.requester(), prepared.profileName(), prepared.profileVersion(),
                    prepared.tbs().getEndDate().getDate().toInstant(), clock.instant());
            boolean reserved;
            try {
                reserved = store.reserve(intent, signingEvent(prepared, tbsSha256));
            } catch (LedgerException e) {
                throw new CaException(CaException.Kind.LEDGER_UNAVAILABLE,
                        "the audit ledger cannot be written, so nothing was signed; retry later", e);
            }
            if (!reserved) {
                LOG.warn("serial {} of {} was taken; drawing another", prepared.serial(), prepared.issuer().name());
                continue;
            }
            return signAndStore(prepared, tbsDer);
        }
        throw new CaException(CaException.Kind.INTERNAL, "could not reserve a unique serial in " + SERIAL_ATTEMPTS + " attempts");
    }

    private IssuedCertificate signAndStore(PreparedCertificate prepared, byte[] tbsDer) {
        IssuerKey issuer = prepared.issuer();
        String subject = issuer.name() + "/" + prepared.serial().hex();
        // Step 5: sign in the token; the VerifyingToken checks the signature before we see it.
        byte[] signature;
        try {
            signature = token.sign(issuer.key(), issuer.algorithm(), tbsDer);
        } catch (TokenException e) {
            boolean fault = e.reason() == TokenException.Reason.SIGNATURE_FAULT;
            abort(prepared, fault ? AuditEventType.SIGNATURE_FAULT : AuditEventType.CERTIFICATE_ABORTED, e.getMessage());
            if (fault) {
                LOG.error("SIGNATURE FAULT on {}: {}", subject, e.getMessage());
                throw new CaException(CaException.Kind.INTERNAL, "signature fault on " + subject, e);
            }
            throw new CaException(CaException.Kind.TOKEN_UNAVAILABLE, "the crypto token cannot sign now ("
                    + e.getMessage() + "); nothing was issued, retry later", e);
        }
        byte[] der = assemble(prepared.tbs(), tbsDer, issuer, signature);
        // Step 6: store the certificate, mark the serial issued and append "issued", in one transaction.
        Instant now = clock.instant();
        TBSCertificate tbs = prepared.tbs();
        String fingerprint = KeyIdentifiers.sha256Hex(der);
        CertificateRecord record = new CertificateRecord(issuer.name(), prepared.serial(), der, fingerprint,
                BCStyle.INSTANCE.toString(tbs.getSubject()), prepared.spkiSha256(),
                tbs.getStartDate().getDate().toInstant(), tbs.getEndDate().getDate().toInstant(), prepared.profileName(),
                prepared.profileVersion(), prepared.requester(), provenanceJson(prepared), now, prepared.identifiers(),
                null, null);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("sha256", fingerprint);
        details.put("notBefore", record.notBefore().toString());
        details.put("notAfter", record.notAfter().toString());
        try {
            store.complete(record, new AuditEvent(AuditEventType.CERTIFICATE_ISSUED, prepared.requester(), subject, details));
        } catch (RuntimeException e) {
            // The serial stays SIGNING ("outcome unknown"): revocable, answerable, flagged by the reconciler.
            LOG.error("storing {} failed after signing; serial left in state SIGNING for the reconciler", subject, e);
            throw new CaException(e instanceof LedgerException ? CaException.Kind.LEDGER_UNAVAILABLE
                    : CaException.Kind.INTERNAL, "the certificate could not be stored; nothing was issued", e);
        }
        // Step 7: return only what is stored and audited.
        return new IssuedCertificate(record, issuer.chain());
    }

    private void abort(PreparedCertificate prepared, AuditEventType type, String why) {
        String subject = prepared.issuer().name() + "/" + prepared.serial().hex();
        try {
            store.abort(prepared.issuer().name(), prepared.serial(), clock.instant(),
                    new AuditEvent(type, prepared.requester(), subject, Map.of("reason", truncate(why))));
        } catch (RuntimeException e) {
            LOG.error("could not mark {} aborted; it stays SIGNING (outcome unknown)", subject, e);
        }
    }

    /** Assembles the certificate and proves the signed TBS is byte-for-byte the linted one (I4). */
    private static byte[] assemble(TBSCertificate tbs, byte[] tbsDer, IssuerKey issuer, byte[] signature) {
        ASN1EncodableVector v = new ASN1EncodableVector(3);
        v.add(tbs);
        v.add(issuer.algorithm().algorithmIdentifier());
        v.add(new DERBitString(signature));
        byte[] der;
        try {
            der = new DERSequence(v).getEncoded(ASN1Encoding.DER);
            X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            if (!Arrays.equals(parsed.getTBSCertificate(), tbsDer)
                    || !Arrays.equals(Certificate.getInstance(der).getTBSCertificate().getEncoded(ASN1Encoding.DER), tbsDer)) {
                throw new CaException(CaException.Kind.INTERNAL, "assembled certificate's TBS differs from the linted TBS");
            }
        } catch (IOException | CertificateException e) {
            throw new CaException(CaException.Kind.INTERNAL, "assembled certificate does not parse", e);
        }
        return der;
    }

    private AuditEvent signingEvent(PreparedCertificate p, String tbsSha256) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("profile", p.profileName());
        details.put("profileVersion", Integer.toString(p.profileVersion()));
        details.put("tbsSha256", tbsSha256);
        details.put("key", p.issuer().key().token() + "/" + p.issuer().key().alias());
        details.put("identifiers", truncate(p.identifiers().stream().map(Identifier::toString).collect(Collectors.joining(","))));
        return new AuditEvent(AuditEventType.CERTIFICATE_SIGNING, p.requester(), p.issuer().name() + "/" + p.serial().hex(), details);
    }

    private String provenanceJson(PreparedCertificate p) {
        Map<String, Object> m = new LinkedHashMap<>();
        Provenance pv = p.provenance();
        m.put("channel", pv.channel());
        m.put("reference", pv.reference());
        m.put("validationMethod", pv.validationMethod());
        m.put("validatedAt", pv.validatedAt() == null ? null : pv.validatedAt().toString());
        m.put("approvedBy", pv.approvedBy());
        m.put("build", build);
        m.put("profile", p.profileName() + "@" + p.profileVersion());
        return Json.write(m);
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
    }

    private static byte[] encode(TBSCertificate tbs) {
        try {
            return tbs.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new CaException(CaException.Kind.INTERNAL, "to-be-signed certificate cannot be encoded", e);
        }
    }
}
