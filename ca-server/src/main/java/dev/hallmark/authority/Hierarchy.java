package dev.hallmark.authority;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.LedgerException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.RFC4519Style;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Creates certificate authorities: a key generated inside the token, its certificate through the same issuance
 * cycle as every leaf (lint, intent, sign, store, audit), then the CA row with its {@code CA_CREATED} event.
 * Existing CAs and existing keys are never overwritten. Not meant for concurrent use on the same CA name (the
 * store's unique key refuses the second one).
 */
public final class Hierarchy {
    /** Profile name recorded for self-signed root certificates. */
    public static final String ROOT_PROFILE = "root-ca";
    /** Profile name recorded for subordinate CA certificates. */
    public static final String SUBORDINATE_PROFILE = "sub-ca";

    private final CertificateStore store;
    private final CryptoToken token;
    private final AuditLedger ledger;
    private final Issuer issuer;
    private final DistributionUrls urls;

    /**
     * @param store  durable state
     * @param token  the token CA keys are generated in (a {@link dev.hallmark.hsm.VerifyingToken})
     * @param ledger the audit ledger (key generation is recorded directly)
     * @param issuer runs the issuance cycle for CA certificates
     */
    public Hierarchy(CertificateStore store, CryptoToken token, AuditLedger ledger, Issuer issuer) {
        this(store, token, ledger, issuer, DistributionUrls.NONE);
    }

    /**
     * @param urls where subordinate CA certificates point relying parties for their parent's CRL, OCSP and certificate
     */
    public Hierarchy(CertificateStore store, CryptoToken token, AuditLedger ledger, Issuer issuer, DistributionUrls urls) {
        this.urls = java.util.Objects.requireNonNull(urls, "urls");
        this.store = store;
        this.token = token;
        this.ledger = ledger;
        this.issuer = issuer;
    }

    /**
     * Creates a self-signed root CA.
     *
     * @throws CaException {@code CONFLICT} when the CA or its key alias exists already
     */
    public SigningCa createRoot(CaSpec spec, String requester) {
        refuseExisting(spec);
        KeyRef key = generate(spec, requester);
        IssuerKey self = new IssuerKey(spec.name(), key, spec.algorithm(), null, List.of());
        return create(spec, null, self, key, requester, List.of());
    }

    /**
     * Creates a subordinate CA certified by {@code parent}.
     *
     * @throws CaException {@code CONFLICT} when the CA or its key alias exists already
     */
    public SigningCa createSubordinate(SigningCa parent, CaSpec spec, String requester) {
        refuseExisting(spec);
        KeyRef key = generate(spec, requester);
        return create(spec, parent.name(), parent.issuerKey(), key, requester, parent.chain());
    }

    private SigningCa create(CaSpec spec, String parentName, IssuerKey signer, KeyRef key, String requester,
                             List<X509CertificateHolder> parentChain) {
        X500Name subject = parseSubject(spec.subject());
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(token.publicKey(key).getEncoded());
        String spkiSha256 = KeyIdentifiers.spkiSha256(spki);
        String profile = parentName == null ? ROOT_PROFILE : SUBORDINATE_PROFILE;
        Provenance provenance = Provenance.admin("init", requester, issuer.clock().instant());
        IssuedCertificate issued = issuer.issue(serial -> new PreparedCertificate(signer, serial,
                CertificateShaper.ca(signer, subject, spki, spec.pathLength(), serial, issuer.clock().instant(),
                        spec.validity(), urls),
                null, profile, 1, List.of(), spkiSha256, requester, provenance));
        CertificateRecord cert = issued.record();
        CaRecord record = new CaRecord(spec.name(), parentName, BCStyle.INSTANCE.toString(subject), key.alias(),
                spec.keyType(), spec.algorithm(), cert.der(), cert.serial(), cert.notBefore(), cert.notAfter(),
                issuer.clock().instant());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("subject", record.subject());
        details.put("parent", parentName == null ? "" : parentName);
        details.put("serial", cert.serial().hex());
        details.put("sha256", cert.sha256Fingerprint());
        details.put("key", key.token() + "/" + key.alias() + " (" + spec.keyType().cliName() + ")");
        try {
            store.saveCa(record, new AuditEvent(AuditEventType.CA_CREATED, requester, spec.name(), details));
        } catch (LedgerException e) {
            throw new CaException(CaException.Kind.LEDGER_UNAVAILABLE, "the audit ledger cannot be written", e);
        }
        X509CertificateHolder holder;
        try {
            holder = new X509CertificateHolder(cert.der());
        } catch (IOException e) {
            throw new CaException(CaException.Kind.INTERNAL, "stored CA certificate does not parse", e);
        }
        List<X509CertificateHolder> chain = new ArrayList<>();
        chain.add(holder);
        chain.addAll(parentChain);
        return new SigningCa(record, holder, key, chain);
    }

    private void refuseExisting(CaSpec spec) {
        if (store.ca(spec.name()).isPresent()) {
            throw new CaException(CaException.Kind.CONFLICT, "a CA named '" + spec.name() + "' exists already; "
                    + "it is never overwritten");
        }
        if (token.find(spec.keyAlias()).isPresent()) {
            throw new CaException(CaException.Kind.CONFLICT, "token '" + token.name() + "' already holds a key '"
                    + spec.keyAlias() + "'; it is never overwritten (remove it by hand if it is an orphan of a failed init)");
        }
    }

    private KeyRef generate(CaSpec spec, String requester) {
        KeyRef key;
        try {
            key = token.generateKey(spec.keyAlias(), spec.keyType());
        } catch (TokenException e) {
            throw Tokens.toCaException(e, "cannot generate the key of CA '" + spec.name() + "'");
        }
        try {
            ledger.appendNow(keyGenerated(key, "ca:" + spec.name(), requester));
        } catch (LedgerException e) {
            throw new CaException(CaException.Kind.LEDGER_UNAVAILABLE, "the audit ledger cannot be written", e);
        }
        return key;
    }

    /** The ledger's record that {@code key} was generated in its token for {@code purpose} (never key material). */
    public static AuditEvent keyGenerated(KeyRef key, String purpose, String actor) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("hsm", key.token());
        details.put("alias", key.alias());
        details.put("type", key.type().cliName());
        details.put("purpose", purpose);
        return new AuditEvent(AuditEventType.KEY_GENERATED, actor, key.token() + "/" + key.alias(), details);
    }

    private static X500Name parseSubject(String subject) {
        try {
            X500Name name = new X500Name(RFC4519Style.INSTANCE, subject);
            if (name.getRDNs().length == 0) {
                throw new CaException(CaException.Kind.MALFORMED, "a CA subject must not be empty");
            }
            return name;
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.MALFORMED, "CA subject '" + subject + "' is not an RFC 4514 name: "
                    + e.getMessage());
        }
    }
}
