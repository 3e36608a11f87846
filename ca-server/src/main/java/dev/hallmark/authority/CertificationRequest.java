package dev.hallmark.authority;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * A parsed and checked PKCS#10 request (RFC 2986). {@link #parse} bounds the input, parses it with BouncyCastle,
 * refuses weak signature algorithms, checks proof of possession (the CSR's own signature) and extracts what the
 * authority may use: the public key, the requested names, the CN. Nothing else from the CSR is ever copied into a
 * certificate; requested extensions are inspected only to refuse requests for CA rights, unknown critical
 * extensions and key purposes the profile does not grant (RELIABILITY I5).
 *
 * @param der                the request's DER
 * @param subjectPublicKeyInfo the requested key
 * @param publicKey          the same key as a JCA object (BouncyCastle)
 * @param commonName         the subject CN, or null
 * @param identifiers        the subjectAltName entries, in request order, duplicates removed
 * @param requestedKeyPurposes EKU purposes the CSR asked for (checked against the profile)
 * @param requestedKeyUsage  keyUsage bits the CSR asked for, or 0
 */
public record CertificationRequest(
        byte[] der,
        SubjectPublicKeyInfo subjectPublicKeyInfo,
        PublicKey publicKey,
        String commonName,
        List<Identifier> identifiers,
        List<KeyPurposeId> requestedKeyPurposes,
        int requestedKeyUsage) {

    /** Largest CSR accepted, PEM or DER. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final DerLimits LIMITS = new DerLimits(MAX_BYTES, 16);
    private static final int MAX_SANS = 1000;
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Set<ASN1ObjectIdentifier> ACCEPTED_SIGNATURES = Set.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, X9ObjectIdentifiers.ecdsa_with_SHA384,
            X9ObjectIdentifiers.ecdsa_with_SHA512, PKCSObjectIdentifiers.sha256WithRSAEncryption,
            PKCSObjectIdentifiers.sha384WithRSAEncryption, PKCSObjectIdentifiers.sha512WithRSAEncryption,
            PKCSObjectIdentifiers.id_RSASSA_PSS, EdECObjectIdentifiers.id_Ed25519,
            NISTObjectIdentifiers.id_ml_dsa_44, NISTObjectIdentifiers.id_ml_dsa_65, NISTObjectIdentifiers.id_ml_dsa_87);
    /** Extensions a CSR may carry without being refused; none of them is copied. */
    private static final Set<ASN1ObjectIdentifier> TOLERATED = Set.of(
            Extension.subjectAlternativeName, Extension.basicConstraints, Extension.keyUsage,
            Extension.extendedKeyUsage, Extension.subjectKeyIdentifier,
            new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.24")); // TLS feature (must-staple): not honoured, not copied

    public CertificationRequest {
        der = der.clone();
        identifiers = List.copyOf(identifiers);
        requestedKeyPurposes = List.copyOf(requestedKeyPurposes);
    }

    @Override
    public byte[] der() {
        return der.clone();
    }

    /**
     * Parses a CSR given as PEM ({@code CERTIFICATE REQUEST} or {@code NEW CERTIFICATE REQUEST}) or DER.
     *
     * @throws CaException {@code MALFORMED} for undecodable or oversized input, {@code BAD_SIGNATURE_ALGORITHM}
     *                     for MD5/SHA-1 or unknown algorithms, {@code BAD_CSR} for a bad proof of possession,
     *                     unsupported SAN types or unknown critical extensions, {@code POLICY_DENIED} when the
     *                     CSR asks for CA rights
     */
    public static CertificationRequest parse(byte[] input) {
        byte[] der = bounded(input);
        PKCS10CertificationRequest csr = structure(der);
        ASN1ObjectIdentifier sigOid = csr.getSignatureAlgorithm().getAlgorithm();
        if (!ACCEPTED_SIGNATURES.contains(sigOid)) {
            throw new CaException(CaException.Kind.BAD_SIGNATURE_ALGORITHM, "CSR is signed with " + sigOid
                    + ", which is not accepted (use ECDSA, RSA or RSA-PSS with SHA-256 or stronger, Ed25519 or ML-DSA)");
        }
        if (sigOid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            checkPssParameters(csr.getSignatureAlgorithm().getParameters());
        }
        SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
        if (spki.getAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)
                && !(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier)) {
            // Explicit curve parameters are refused before any curve arithmetic runs on them (BC CVE-2024-29857).
            throw new CaException(CaException.Kind.BAD_PUBLIC_KEY,
                    "EC keys must name their curve; explicit or implicit parameters are refused");
        }
        PublicKey publicKey;
        try {
            publicKey = new JcaPEMKeyConverter().setProvider(BC).getPublicKey(spki);
        } catch (IOException | RuntimeException e) {
            throw new CaException(CaException.Kind.BAD_PUBLIC_KEY, "CSR public key cannot be decoded: " + e.getMessage());
        }
        boolean valid;
        try {
            valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC).build(spki));
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new CaException(CaException.Kind.BAD_CSR,
                    "CSR signature does not verify with its public key (no proof of possession)");
        }
        String cn = commonName(csr.getSubject());
        List<Identifier> ids = new ArrayList<>();
        List<KeyPurposeId> purposes = new ArrayList<>();
        int keyUsage = 0;
        Extensions requested = requestedExtensions(csr);
        if (requested != null) {
            for (ASN1ObjectIdentifier oid : requested.getExtensionOIDs()) {
                Extension ext = requested.getExtension(oid);
                if (!TOLERATED.contains(oid)) {
                    if (ext.isCritical()) {
                        throw new CaException(CaException.Kind.BAD_CSR, "CSR requests unsupported critical extension " + oid);
                    }
                    continue;
                }
                try {
                    if (oid.equals(Extension.subjectAlternativeName)) {
                        ids.addAll(identifiers(GeneralNames.getInstance(ext.getParsedValue())));
                    } else if (oid.equals(Extension.basicConstraints)) {
                        if (BasicConstraints.getInstance(ext.getParsedValue()).isCA()) {
                            throw new CaException(CaException.Kind.POLICY_DENIED, "CSR asks for CA rights (basicConstraints cA=true); "
                                    + "subordinate CAs are created by 'hallmark ca', never from an enrolment");
                        }
                    } else if (oid.equals(Extension.keyUsage)) {
                        keyUsage = KeyUsage.getInstance(ext.getParsedValue()).getBytes().length == 0 ? 0
                                : keyUsageBits(KeyUsage.getInstance(ext.getParsedValue()));
                        if ((keyUsage & (KeyUsage.keyCertSign | KeyUsage.cRLSign)) != 0) {
                            throw new CaException(CaException.Kind.POLICY_DENIED, "CSR asks for keyCertSign or cRLSign");
                        }
                    } else if (oid.equals(Extension.extendedKeyUsage)) {
                        purposes.addAll(List.of(ExtendedKeyUsage.getInstance(ext.getParsedValue()).getUsages()));
                    }
                } catch (IllegalArgumentException e) {
                    throw new CaException(CaException.Kind.BAD_CSR, "CSR extension " + oid + " is malformed: " + e.getMessage());
                }
            }
        }
        if (ids.size() > MAX_SANS) {
            throw new CaException(CaException.Kind.BAD_CSR, "CSR has more than " + MAX_SANS + " subjectAltName entries");
        }
        return new CertificationRequest(der, spki, publicKey, cn, List.copyOf(new LinkedHashSet<>(ids)), purposes, keyUsage);
    }

    /** Hashes an RSASSA-PSS proof of possession may use; MGF1 must use the same one (RFC 4055 §3.1). */
    private static final Set<ASN1ObjectIdentifier> PSS_HASHES = Set.of(NISTObjectIdentifiers.id_sha256,
            NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);

    /**
     * RSASSA-PSS names its hash in parameters, and their absence means SHA-1 (RFC 4055 §3.1): the weak-hash ban
     * must look inside. Trailer field 1 is the only one defined.
     */
    private static void checkPssParameters(ASN1Encodable parameters) {
        RSASSAPSSparams pss;
        try {
            pss = parameters == null ? null : RSASSAPSSparams.getInstance(parameters);
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.BAD_SIGNATURE_ALGORITHM, "CSR's RSASSA-PSS parameters are malformed");
        }
        if (pss == null) {
            throw new CaException(CaException.Kind.BAD_SIGNATURE_ALGORITHM, "CSR is signed with RSASSA-PSS without"
                    + " parameters, which means SHA-1; name SHA-256 or stronger");
        }
        ASN1ObjectIdentifier hash = pss.getHashAlgorithm().getAlgorithm();
        if (!PSS_HASHES.contains(hash)) {
            throw new CaException(CaException.Kind.BAD_SIGNATURE_ALGORITHM, "CSR is signed with RSASSA-PSS over " + hash
                    + "; use SHA-256, SHA-384 or SHA-512");
        }
        AlgorithmIdentifier mgf = pss.getMaskGenAlgorithm();
        if (!mgf.getAlgorithm().equals(PKCSObjectIdentifiers.id_mgf1) || mgf.getParameters() == null
                || !AlgorithmIdentifier.getInstance(mgf.getParameters()).getAlgorithm().equals(hash)) {
            throw new CaException(CaException.Kind.BAD_SIGNATURE_ALGORITHM,
                    "CSR's RSASSA-PSS mask generation must be MGF1 with the signature's hash");
        }
        if (pss.getTrailerField().intValue() != 1) {
            throw new CaException(CaException.Kind.BAD_SIGNATURE_ALGORITHM, "CSR's RSASSA-PSS trailer field must be 1");
        }
    }

    /**
     * The DER of the public key {@code input} (PEM or DER) asks to be certified, read from the request's structure
     * alone: the proof of possession and everything else {@link #parse} checks are not looked at. For a protocol that
     * must compare the key with something of its own before handing the request to the authority, which parses it
     * in full.
     *
     * @throws CaException {@code MALFORMED} for undecodable or oversized input
     */
    public static byte[] requestedKeyInfo(byte[] input) {
        try {
            return structure(bounded(input)).getSubjectPublicKeyInfo().getEncoded();
        } catch (IOException e) {
            throw new CaException(CaException.Kind.MALFORMED, "CSR public key cannot be encoded: " + e.getMessage());
        }
    }

    /** The DER of {@code input}, within the size and nesting bounds, before any parser sees it. */
    private static byte[] bounded(byte[] input) {
        if (input.length > MAX_BYTES) {
            throw new CaException(CaException.Kind.MALFORMED, "CSR is " + input.length + " bytes; at most " + MAX_BYTES + " are accepted");
        }
        byte[] der = looksLikePem(input) ? fromPem(input) : input;
        LIMITS.check(der, "CSR");
        return der;
    }

    private static PKCS10CertificationRequest structure(byte[] der) {
        try {
            return new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new CaException(CaException.Kind.MALFORMED, "CSR is not a valid PKCS#10 request: " + e.getMessage());
        }
    }

    private static int keyUsageBits(KeyUsage ku) {
        byte[] b = ku.getBytes();
        int bits = b[0] & 0xff;
        if (b.length > 1) {
            bits |= (b[1] & 0xff) << 8;
        }
        return bits;
    }

    private static boolean looksLikePem(byte[] input) {
        for (byte b : input) {
            if (b == '-') {
                return true;
            }
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return false;
    }

    private static byte[] fromPem(byte[] input) {
        try (PemReader reader = new PemReader(new StringReader(new String(input, StandardCharsets.US_ASCII)))) {
            PemObject pem = reader.readPemObject();
            if (pem == null || !(pem.getType().equals("CERTIFICATE REQUEST") || pem.getType().equals("NEW CERTIFICATE REQUEST"))) {
                throw new CaException(CaException.Kind.MALFORMED, "expected a PEM 'CERTIFICATE REQUEST' block");
            }
            return pem.getContent();
        } catch (IOException | RuntimeException e) {
            if (e instanceof CaException ce) {
                throw ce;
            }
            throw new CaException(CaException.Kind.MALFORMED, "CSR PEM cannot be decoded: " + e.getMessage());
        }
    }

    private static Extensions requestedExtensions(PKCS10CertificationRequest csr) {
        Attribute[] attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attributes.length == 0) {
            return null;
        }
        if (attributes.length > 1) {
            throw new CaException(CaException.Kind.BAD_CSR, "CSR has more than one extensionRequest attribute");
        }
        ASN1Set values = attributes[0].getAttrValues();
        if (values.size() != 1) {
            throw new CaException(CaException.Kind.BAD_CSR, "CSR extensionRequest must hold exactly one value");
        }
        try {
            return Extensions.getInstance(values.getObjectAt(0));
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.BAD_CSR, "CSR extensionRequest is malformed: " + e.getMessage());
        }
    }

    private static String commonName(X500Name subject) {
        RDN[] rdns = subject.getRDNs(BCStyle.CN);
        if (rdns.length == 0) {
            return null;
        }
        if (rdns.length > 1 || rdns[0].isMultiValued()) {
            throw new CaException(CaException.Kind.BAD_CSR, "CSR subject has more than one commonName");
        }
        ASN1Encodable value = rdns[0].getFirst().getValue();
        if (!(value instanceof ASN1String s)) {
            throw new CaException(CaException.Kind.BAD_CSR, "CSR commonName is not a string");
        }
        return s.getString();
    }

    private static List<Identifier> identifiers(GeneralNames names) {
        List<Identifier> ids = new ArrayList<>();
        for (GeneralName name : names.getNames()) {
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> ids.add(Identifier.dns(ASN1String.class.cast(name.getName()).getString()));
                case GeneralName.rfc822Name -> ids.add(new Identifier(Identifier.Type.EMAIL,
                        ASN1String.class.cast(name.getName()).getString()));
                case GeneralName.uniformResourceIdentifier -> ids.add(new Identifier(Identifier.Type.URI,
                        ASN1String.class.cast(name.getName()).getString()));
                case GeneralName.iPAddress -> {
                    byte[] octets = ASN1OctetString.getInstance(name.getName()).getOctets();
                    if (octets.length != 4 && octets.length != 16) {
                        throw new CaException(CaException.Kind.BAD_CSR, "CSR iPAddress SAN has " + octets.length
                                + " octets; expected 4 or 16 (no netmask)");
                    }
                    try {
                        ids.add(Identifier.ip(dev.hallmark.authority.policy.IdentifierSyntax.canonicalIp(InetAddress.getByAddress(octets))));
                    } catch (UnknownHostException e) {
                        throw new CaException(CaException.Kind.BAD_CSR, "CSR iPAddress SAN is invalid");
                    }
                }
                default -> throw new CaException(CaException.Kind.BAD_CSR, "CSR subjectAltName type " + name.getTagNo()
                        + " is not supported; use dNSName, iPAddress, rfc822Name or URI");
            }
        }
        return ids;
    }
}
