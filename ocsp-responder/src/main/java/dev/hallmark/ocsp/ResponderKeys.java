package dev.hallmark.ocsp;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStatus;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SigningCa;
import dev.hallmark.authority.profile.Profile;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.TokenContentSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCSP signer of each CA. With {@code ocsp.signer: delegated} (the default) a subordinate CA's responses are
 * signed by a responder key in the token, certified by that CA through the normal issuance cycle from the
 * {@code ocsp-signer} profile (id-kp-OCSPSigning, ocsp-nocheck; channel {@code system}), reused across restarts,
 * and replaced when a third of its lifetime (or twice the response validity) is left, or when it is revoked. A root
 * signs for itself (roots certify no end-entity keys, BR 6.1.7), as does every CA with {@code ocsp.signer: ca}.
 * Blocking (token, database); thread-safe.
 */
final class ResponderKeys {
    static final String PROFILE = "ocsp-signer";
    private static final Logger LOG = LoggerFactory.getLogger(ResponderKeys.class);

    private final Authority authority;
    private final CryptoToken token;
    private final RevocationSettings.Ocsp settings;
    private final Clock clock;
    private final Map<String, ResponderKey> current = new ConcurrentHashMap<>();

    ResponderKeys(Authority authority, CryptoToken token, RevocationSettings.Ocsp settings, Clock clock) {
        this.authority = authority;
        this.token = token;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * The signer for CA {@code ca}, loading or issuing it on first use.
     *
     * @throws CaException {@code TOKEN_UNAVAILABLE} and the issuance errors when no signer can be had
     */
    ResponderKey forCa(String ca) {
        ResponderKey k = current.get(ca);
        if (k != null && !due(k)) {
            return k;
        }
        synchronized (this) {
            k = current.get(ca);
            if (k == null || due(k)) {
                k = load(ca);
                current.put(ca, k);
            }
            return k;
        }
    }

    /** The signer in use for {@code ca}, if one was loaded. */
    Optional<ResponderKey> loaded(String ca) {
        return Optional.ofNullable(current.get(ca));
    }

    /**
     * Checks every loaded delegated signer against the database: a revoked responder certificate is replaced at
     * once, an ageing one when due.
     *
     * @return the revoked signers that were replaced (their cached responses must go)
     */
    synchronized List<ResponderKey> refresh() {
        List<ResponderKey> revoked = new java.util.ArrayList<>();
        for (ResponderKey k : List.copyOf(current.values())) {
            boolean isRevoked = k.delegated() && authority.serial(k.ca(), SerialNumber.parse(k.serial()))
                    .map(s -> s.isRevoked()).orElse(false);
            if (!isRevoked && !due(k)) {
                continue;
            }
            current.remove(k.ca(), k);
            if (isRevoked) {
                revoked.add(k);
            }
            try {
                forCa(k.ca());
            } catch (RuntimeException e) {
                LOG.warn("cannot replace the OCSP signer of CA '{}' now (next request or sweep retries): {}", k.ca(), e.toString());
            }
        }
        return revoked;
    }

    private boolean due(ResponderKey k) {
        return !clock.instant().isBefore(k.notAfter().minus(settings.validity().multipliedBy(2)));
    }

    private ResponderKey load(String ca) {
        SigningCa signing = authority.signingCa(ca);
        if (settings.signer() == RevocationSettings.Signer.CA || signing.record().parentName() == null) {
            return new ResponderKey(ca, signing.key(), signing.record().signatureAlgorithm(), List.of(),
                    responderId(signing.certificate().getSubjectPublicKeyInfo()), signing.record().notAfter(), null);
        }
        Instant now = clock.instant();
        for (CertificateRecord r : authority.search(new CertificateQuery(ca, CertificateStatus.VALID, null, null,
                PROFILE, 100, 0))) {
            X509CertificateHolder cert = holder(r.der());
            Duration life = Duration.between(r.notBefore(), r.notAfter());
            if (now.isAfter(r.notAfter().minus(life.dividedBy(3)))) {
                continue;
            }
            Optional<KeyRef> key = keyFor(ca, cert.getSubjectPublicKeyInfo());
            if (key.isPresent()) {
                ResponderKey k = delegated(ca, key.get(), cert);
                if (!due(k)) {
                    return k;
                }
            }
        }
        return issue(signing);
    }

    private ResponderKey delegated(String ca, KeyRef key, X509CertificateHolder cert) {
        return new ResponderKey(ca, key, key.type().defaultSignatureAlgorithm(), List.of(cert),
                responderId(cert.getSubjectPublicKeyInfo()), cert.getNotAfter().toInstant(),
                new SerialNumber(cert.getSerialNumber()).hex());
    }

    /** The responder key of {@code ca} in the token whose public key is {@code spki}. */
    private Optional<KeyRef> keyFor(String ca, SubjectPublicKeyInfo spki) {
        byte[] wanted;
        try {
            wanted = spki.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String prefix = aliasPrefix(ca);
        for (KeyRef k : token.keys()) {
            if (k.alias().startsWith(prefix)) {
                PublicKey pk = token.publicKey(k);
                if (Arrays.equals(pk.getEncoded(), wanted)) {
                    return Optional.of(k);
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return b;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static String aliasPrefix(String ca) {
        return "ocsp-" + ca + "-";
    }

    private ResponderKey issue(SigningCa ca) {
        Profile profile = authority.profiles().get(PROFILE);
        KeyType type = profile.keyTypes().contains(ca.record().keyType()) ? ca.record().keyType() : KeyType.EC_P256;
        Instant now = clock.instant();
        // Unique even for two keys made in one second, or by two nodes sharing the token.
        KeyRef key = token.generateKey(aliasPrefix(ca.name()) + now.toEpochMilli() + "-"
                + java.util.HexFormat.of().formatHex(randomBytes()), type);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "Hallmark OCSP responder for "
                + ca.name()).build();
        byte[] csr;
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(token.publicKey(key).getEncoded());
            csr = new PKCS10CertificationRequestBuilder(subject, spki)
                    .build(new TokenContentSigner(token, key, type.defaultSignatureAlgorithm())).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IssuedCertificate issued = authority.issue(new IssuanceRequest(ca.name(), PROFILE, csr, List.of(),
                "system:ocsp-responder", new Provenance("system", "ocsp-responder", "local", now, null)));
        LOG.info("issued OCSP responder certificate {} for CA '{}' (valid until {})", issued.record().serial().hex(),
                ca.name(), issued.record().notAfter());
        return delegated(ca.name(), key, holder(issued.record().der()));
    }

    private static X509CertificateHolder holder(byte[] der) {
        try {
            return new X509CertificateHolder(der);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ResponderID byKey: the SHA-1 of the responder's public key bits (RFC 6960 4.2.1). */
    private static RespID responderId(SubjectPublicKeyInfo spki) {
        byte[] keyHash = IssuerIndex.digest(OIWObjectIdentifiers.idSHA1, spki.getPublicKeyData().getBytes());
        return new RespID(new ResponderID(new DEROctetString(keyHash)));
    }

    /** The CA records this responder answers for (every CA: roots answer for their subordinate CAs). */
    List<CaRecord> cas() {
        return authority.cas();
    }
}
