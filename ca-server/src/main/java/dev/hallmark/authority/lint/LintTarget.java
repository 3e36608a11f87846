package dev.hallmark.authority.lint;

import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.authority.policy.SubjectKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;

/**
 * A to-be-signed certificate with its context and its extensions decoded once, so each rule stays small. An
 * extension whose value does not decode is reported once ({@code e_ext_malformed}) and then treated as absent
 * by the rules that would read it (they do not report it missing again).
 */
final class LintTarget {
    static final String EXT_MALFORMED = "e_ext_malformed";

    final TBSCertificate tbs;
    final LintContext ctx;
    final Map<ASN1ObjectIdentifier, Extension> extensions = new LinkedHashMap<>();
    final List<ASN1ObjectIdentifier> rawExtensionOrder = new ArrayList<>();
    final List<ASN1ObjectIdentifier> malformed = new ArrayList<>();
    final List<Finding> parseFindings = new ArrayList<>();
    final BasicConstraints basicConstraints;
    final Integer keyUsage;
    final List<KeyPurposeId> extendedKeyUsage;
    final GeneralNames subjectAltName;
    final AuthorityKeyIdentifier authorityKeyIdentifier;
    final SubjectKeyIdentifier subjectKeyIdentifier;
    final SubjectKey subjectKey;
    final List<String> subjectKeyProblems = new ArrayList<>();

    LintTarget(TBSCertificate tbs, LintContext ctx) {
        this.tbs = tbs;
        this.ctx = ctx;
        readRawExtensions();
        Extensions exts = tbs.getExtensions();
        if (exts != null) {
            for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
                extensions.put(oid, exts.getExtension(oid));
            }
        }
        basicConstraints = parse(Extension.basicConstraints, BasicConstraints::getInstance);
        ASN1BitString ku = parse(Extension.keyUsage, ASN1BitString::getInstance);
        keyUsage = ku == null ? null : keyUsageBits(ku);
        ExtendedKeyUsage eku = parse(Extension.extendedKeyUsage, ExtendedKeyUsage::getInstance);
        extendedKeyUsage = eku == null ? null : List.of(eku.getUsages());
        subjectAltName = parse(Extension.subjectAlternativeName, GeneralNames::getInstance);
        authorityKeyIdentifier = parse(Extension.authorityKeyIdentifier, AuthorityKeyIdentifier::getInstance);
        subjectKeyIdentifier = parse(Extension.subjectKeyIdentifier, SubjectKeyIdentifier::getInstance);
        subjectKey = SubjectKey.inspect(tbs.getSubjectPublicKeyInfo(), (rule, detail) -> subjectKeyProblems.add(detail));
    }

    /** The extension, or null when absent. */
    Extension extension(ASN1ObjectIdentifier oid) {
        return extensions.get(oid);
    }

    boolean has(ASN1ObjectIdentifier oid) {
        return extensions.containsKey(oid);
    }

    /** True when the extension is present but did not decode (already reported). */
    boolean isMalformed(ASN1ObjectIdentifier oid) {
        return malformed.contains(oid);
    }

    boolean subjectEmpty() {
        return tbs.getSubject().getRDNs().length == 0;
    }

    boolean subjectIsRsa() {
        return subjectKey != null && subjectKey.isRsa();
    }

    /** The public key of the issuer: the issuer certificate's, or the subject's own for a self-signed root. */
    SubjectPublicKeyInfo issuerPublicKey() {
        return ctx.selfSigned() ? tbs.getSubjectPublicKeyInfo() : ctx.issuerCertificate().getSubjectPublicKeyInfo();
    }

    /** The issuer's key identifier: its SKI extension, else computed as Hallmark computes it (RFC 7093 method 1). */
    byte[] issuerKeyIdentifier() {
        if (ctx.selfSigned()) {
            return subjectKeyIdentifier != null ? subjectKeyIdentifier.getKeyIdentifier()
                    : KeyIdentifiers.of(tbs.getSubjectPublicKeyInfo());
        }
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(ctx.issuerCertificate().getExtensions());
        return ski != null ? ski.getKeyIdentifier() : KeyIdentifiers.of(ctx.issuerCertificate().getSubjectPublicKeyInfo());
    }

    /** The issuer's subject name as it must appear in the issuer field. */
    X500Name expectedIssuerName() {
        return ctx.selfSigned() ? tbs.getSubject() : ctx.issuerCertificate().toASN1Structure().getSubject();
    }

    static int keyUsageBits(ASN1BitString bits) {
        byte[] b = bits.getBytes();
        int v = 0;
        for (int i = 0; i < Math.min(b.length, 2); i++) {
            v |= (b[i] & 0xff) << (8 * i);
        }
        return v;
    }

    private <T> T parse(ASN1ObjectIdentifier oid, java.util.function.Function<Object, T> decoder) {
        Extension e = extensions.get(oid);
        if (e == null) {
            return null;
        }
        try {
            T value = decoder.apply(e.getParsedValue());
            if (value == null) {
                throw new IllegalArgumentException("empty");
            }
            return value;
        } catch (RuntimeException ex) {
            malformed.add(oid);
            parseFindings.add(new Finding(EXT_MALFORMED, "extension " + oid + " does not decode"));
            return null;
        }
    }

    /** The extension OIDs in encoded order, duplicates included, read from the DER (BC's Extensions drops them). */
    private void readRawExtensions() {
        ASN1Sequence seq;
        try {
            seq = ASN1Sequence.getInstance(tbs.getEncoded());
        } catch (IOException | RuntimeException e) {
            parseFindings.add(new Finding(EXT_MALFORMED, "to-be-signed certificate does not encode"));
            return;
        }
        for (ASN1Encodable element : seq) {
            if (element instanceof ASN1TaggedObject tagged && tagged.getTagNo() == 3) {
                rawExtensionOrder.addAll(extensionOids(ASN1Sequence.getInstance(tagged, true)));
            }
        }
    }

    /** The OIDs of an Extensions SEQUENCE, in order, duplicates included. */
    static List<ASN1ObjectIdentifier> extensionOids(ASN1Sequence extensionsSequence) {
        List<ASN1ObjectIdentifier> oids = new ArrayList<>();
        for (ASN1Encodable e : extensionsSequence) {
            oids.add(ASN1ObjectIdentifier.getInstance(ASN1Sequence.getInstance(e).getObjectAt(0)));
        }
        return oids;
    }
}
