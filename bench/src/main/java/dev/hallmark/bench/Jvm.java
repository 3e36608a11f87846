package dev.hallmark.bench;

/** JVM options every benchmark fork gets. */
final class Jvm {
    /** SunPKCS11 internals {@code Pkcs11Token} uses (also in the jar manifest, which forks do not read). */
    static final String PKCS11_EXPORTS = "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED";
    /** A fork needs one SoftHSM2 token; the default pool of 64 costs seconds of {@code softhsm2-util}. */
    static final String SOFTHSM_TOKENS = "-Dhallmark.softhsm.tokens=2";
    /** A fixed heap, so runs are comparable. */
    static final String HEAP = "-Xmx1g";

    private Jvm() {
    }
}
