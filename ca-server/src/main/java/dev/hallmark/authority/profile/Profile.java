package dev.hallmark.authority.profile;

import dev.hallmark.authority.Identifier;
import dev.hallmark.hsm.KeyType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A versioned certificate profile: what an end-entity certificate issued under it looks like. Loaded from YAML
 * by {@link ProfileCatalog}; the {@code version} is recorded with every certificate issued under it, so a
 * changed profile must carry a higher version. Certificate content comes from here and from the validated
 * request only, never from CSR extensions.
 *
 * @param name             profile name ({@code tls-server})
 * @param version          positive; raised on every change
 * @param description      one line for humans
 * @param validity         lifetime of issued certificates
 * @param backdate         how far notBefore is set before the issuance time (clock skew of relying parties)
 * @param keyTypes         subject key types accepted
 * @param keyUsage         keyUsage bits; {@code KEY_ENCIPHERMENT} is applied to RSA subject keys only
 * @param extendedKeyUsage EKU purposes, in order; may be empty
 * @param sanTypes         subjectAltName types allowed
 * @param sanRequired      at least one SAN must be requested
 * @param maxSans          upper bound on SAN entries
 * @param commonName       how the subject CN is set
 * @param ocspNoCheck      add id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1; for OCSP responder certificates)
 * @param ocspUrls         AIA id-ad-ocsp URLs; {@code {ca}} is replaced by the issuing CA's name
 * @param caIssuersUrls    AIA id-ad-caIssuers URLs; {@code {ca}} is replaced
 * @param crlUrls          CRL distribution point URLs; {@code {ca}} is replaced
 * @param channels         the request channels ({@link dev.hallmark.authority.Provenance#channel()}: {@code cli},
 *                         {@code api}, {@code acme}, {@code est}, {@code scep}, {@code system}) that may use this
 *                         profile; empty means every channel
 */
public record Profile(
        String name,
        int version,
        String description,
        Duration validity,
        Duration backdate,
        Set<KeyType> keyTypes,
        Set<KeyUsageBit> keyUsage,
        List<ExtendedKeyUsage> extendedKeyUsage,
        Set<Identifier.Type> sanTypes,
        boolean sanRequired,
        int maxSans,
        CommonName commonName,
        boolean ocspNoCheck,
        List<String> ocspUrls,
        List<String> caIssuersUrls,
        List<String> crlUrls,
        Set<String> channels) {

    public Profile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(validity, "validity");
        Objects.requireNonNull(backdate, "backdate");
        Objects.requireNonNull(commonName, "commonName");
        keyTypes = Set.copyOf(keyTypes);
        keyUsage = Set.copyOf(keyUsage);
        extendedKeyUsage = List.copyOf(extendedKeyUsage);
        sanTypes = Set.copyOf(sanTypes);
        ocspUrls = List.copyOf(ocspUrls);
        caIssuersUrls = List.copyOf(caIssuersUrls);
        crlUrls = List.copyOf(crlUrls);
        channels = Set.copyOf(channels);
        description = description == null ? "" : description;
    }

    /**
     * Every field in a fixed order with sets sorted: equal for equal profiles in any JVM, so its digest can pin
     * what "this profile at this version" means (a changed profile must carry a higher version).
     */
    public String canonicalForm() {
        return String.join("\n", name, Integer.toString(version), validity.toString(), backdate.toString(),
                sorted(keyTypes), sorted(keyUsage), extendedKeyUsage.toString(), sorted(sanTypes),
                Boolean.toString(sanRequired), Integer.toString(maxSans), commonName.name(), Boolean.toString(ocspNoCheck),
                ocspUrls.toString(), caIssuersUrls.toString(), crlUrls.toString(), sorted(channels));
    }

    private static String sorted(Set<?> values) {
        return values.stream().map(Object::toString).sorted().toList().toString();
    }

    /** True when a request arriving through {@code channel} may use this profile. */
    public boolean allowsChannel(String channel) {
        return channels.isEmpty() || channels.contains(channel);
    }

    /** How the subject's commonName is formed. */
    public enum CommonName {
        /** No CN: the subject is empty and the SAN extension is critical (RFC 5280 4.2.1.6). */
        NONE,
        /** The first requested DNS name or IP address (after normalisation), which is always among the SANs. */
        FIRST_SAN,
        /** The CSR's CN if (and only if) it is one of the requested SANs, otherwise the first SAN. */
        REQUESTED_IF_IN_SANS,
        /** The CSR's CN as given, for profiles without SANs (device identities); policy still checks it. */
        REQUESTED
    }

    /** keyUsage bits (RFC 5280 4.2.1.3) a leaf profile may set; keyCertSign and cRLSign are never allowed. */
    public enum KeyUsageBit {
        DIGITAL_SIGNATURE(KeyUsage.digitalSignature),
        NON_REPUDIATION(KeyUsage.nonRepudiation),
        KEY_ENCIPHERMENT(KeyUsage.keyEncipherment),
        DATA_ENCIPHERMENT(KeyUsage.dataEncipherment),
        KEY_AGREEMENT(KeyUsage.keyAgreement);

        private final int bit;

        KeyUsageBit(int bit) {
            this.bit = bit;
        }

        /** The BouncyCastle {@link KeyUsage} bit mask. */
        public int mask() {
            return bit;
        }
    }

    /** Extended key usage purposes (RFC 5280 4.2.1.12). */
    public enum ExtendedKeyUsage {
        SERVER_AUTH(KeyPurposeId.id_kp_serverAuth),
        CLIENT_AUTH(KeyPurposeId.id_kp_clientAuth),
        CODE_SIGNING(KeyPurposeId.id_kp_codeSigning),
        EMAIL_PROTECTION(KeyPurposeId.id_kp_emailProtection),
        TIME_STAMPING(KeyPurposeId.id_kp_timeStamping),
        OCSP_SIGNING(KeyPurposeId.id_kp_OCSPSigning);

        private final KeyPurposeId purpose;

        ExtendedKeyUsage(KeyPurposeId purpose) {
            this.purpose = purpose;
        }

        public KeyPurposeId purpose() {
            return purpose;
        }

        public ASN1ObjectIdentifier oid() {
            return purpose.toOID();
        }
    }
}
