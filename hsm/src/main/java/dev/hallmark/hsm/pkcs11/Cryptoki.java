package dev.hallmark.hsm.pkcs11;

import dev.hallmark.hsm.TokenException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few read-only Cryptoki calls SunPKCS11 does not offer (slot list, token label, session state), made
 * through the JDK's internal wrapper {@code sun.security.pkcs11.wrapper.PKCS11}.
 *
 * <p>Why reflection: {@code javac --release 17} refuses {@code --add-exports} for a system module, and the house
 * style compiles with {@code --release 17}. At run time the JVM still needs
 * {@code --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED} (surefire's argLine and the
 * shaded jar's {@code Add-Exports} manifest entry carry it).
 *
 * <p>The wrapper keeps one instance per library path for the whole JVM and SunPKCS11 shares it, so the library
 * is initialised once, with {@code CKF_OS_LOCKING_OK} exactly as SunPKCS11 does it (initialising it with no
 * arguments would make SoftHSM2 drop its locks). Thread-safe.
 */
final class Cryptoki {
    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
    private static final long CKF_OS_LOCKING_OK = 0x2L;
    private static final long CKF_SERIAL_SESSION = 0x4L;
    private static final long CKS_RO_USER_FUNCTIONS = 1L;
    private static final long CKS_RW_USER_FUNCTIONS = 3L;
    private static final Pattern CKR = Pattern.compile("CKR_[A-Z0-9_]+");

    private final Object pkcs11;
    private final Method getSlotList;
    private final Method getTokenInfo;
    private final Method openSession;
    private final Method closeSession;
    private final Method getSessionInfo;
    private final Field label;
    private final Field state;

    private Cryptoki(Object pkcs11) throws ReflectiveOperationException {
        this.pkcs11 = pkcs11;
        Class<?> type = Class.forName(WRAPPER + "PKCS11");
        this.getSlotList = type.getMethod("C_GetSlotList", boolean.class);
        this.getTokenInfo = type.getMethod("C_GetTokenInfo", long.class);
        this.openSession = type.getMethod("C_OpenSession", long.class, long.class, Object.class,
                Class.forName(WRAPPER + "CK_NOTIFY"));
        this.closeSession = type.getMethod("C_CloseSession", long.class);
        this.getSessionInfo = type.getMethod("C_GetSessionInfo", long.class);
        this.label = Class.forName(WRAPPER + "CK_TOKEN_INFO").getField("label");
        this.state = Class.forName(WRAPPER + "CK_SESSION_INFO").getField("state");
    }

    /**
     * Loads (or reuses) the module at {@code library}.
     *
     * @throws TokenException {@code BAD_CONFIG} if the library cannot be loaded or the wrapper is not exported
     */
    static Cryptoki load(Path library) {
        try {
            Class<?> type = Class.forName(WRAPPER + "PKCS11");
            Class<?> argsType = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            Object args = argsType.getConstructor().newInstance();
            argsType.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
            Method getInstance = type.getMethod("getInstance", String.class, String.class, argsType, boolean.class);
            return new Cryptoki(getInstance.invoke(null, libraryPath(library), "C_GetFunctionList", args, false));
        } catch (InvocationTargetException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "cannot load PKCS#11 library " + library
                    + ": " + describe(e.getCause()), e.getCause());
        } catch (IllegalAccessException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "the JVM must be started with "
                    + "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED to find a PKCS#11 "
                    + "slot by token label", e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "this JVM has no usable SunPKCS11 wrapper (jdk.crypto.cryptoki): " + e, e);
        }
    }

    /** The path string used both here and in the SunPKCS11 configuration, so both share one module instance. */
    static String libraryPath(Path library) {
        return library.toAbsolutePath().normalize().toString();
    }

    /** The id of the slot whose token has {@code tokenLabel}, or empty (with the labels seen in {@code seen}). */
    Optional<Long> slotOf(String tokenLabel, List<String> seen) throws Pkcs11Failure {
        for (long slot : (long[]) call(getSlotList, true)) {
            String found = tokenLabel(slot);
            seen.add(found);
            if (found.equals(tokenLabel)) {
                return Optional.of(slot);
            }
        }
        return Optional.empty();
    }

    /** The labels of all present tokens (for error messages). */
    List<String> labels() throws Pkcs11Failure {
        List<String> seen = new ArrayList<>();
        slotOf("\u0000", seen);
        return seen;
    }

    /** The label of the token in {@code slot}, trailing blanks removed. */
    String tokenLabel(long slot) throws Pkcs11Failure {
        try {
            char[] padded = (char[]) label.get(call(getTokenInfo, slot));
            return new String(padded).stripTrailing();
        } catch (IllegalAccessException e) {
            throw new Pkcs11Failure("CKR_GENERAL_ERROR", e);
        }
    }

    /** Opens a read-only session (no login; the login state is shared by all sessions of this process). */
    long openSession(long slot) throws Pkcs11Failure {
        return (Long) call(openSession, slot, CKF_SERIAL_SESSION, null, null);
    }

    /** True when {@code session} sees the user logged in. */
    boolean loggedIn(long session) throws Pkcs11Failure {
        try {
            long s = state.getLong(call(getSessionInfo, session));
            return s == CKS_RO_USER_FUNCTIONS || s == CKS_RW_USER_FUNCTIONS;
        } catch (IllegalAccessException e) {
            throw new Pkcs11Failure("CKR_GENERAL_ERROR", e);
        }
    }

    void closeSession(long session) throws Pkcs11Failure {
        call(closeSession, session);
    }

    private Object call(Method method, Object... args) throws Pkcs11Failure {
        try {
            return method.invoke(pkcs11, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new Pkcs11Failure(code(cause).orElse("CKR_GENERAL_ERROR"), cause);
        } catch (IllegalAccessException e) {
            throw new Pkcs11Failure("CKR_GENERAL_ERROR", e);
        }
    }

    /**
     * The first {@code CKR_…} return value named in {@code failure} or its causes. SunPKCS11 reports Cryptoki
     * errors as {@code PKCS11Exception}s whose message is the return value's name, often wrapped in a
     * {@code ProviderException}, {@code SignatureException} or {@code LoginException}.
     */
    static Optional<String> code(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Pkcs11Failure f) {
                return Optional.of(f.code());
            }
            String message = t.getMessage();
            if (message != null) {
                Matcher m = CKR.matcher(message);
                if (m.find()) {
                    return Optional.of(m.group());
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** A throwable's class and message, never more (SunPKCS11 messages carry no PIN). */
    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** A Cryptoki call returned an error {@code code} (a {@code CKR_…} name). */
    static final class Pkcs11Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        Pkcs11Failure(String code, Throwable cause) {
            super(code, cause);
            this.code = code;
        }

        String code() {
            return code;
        }
    }
}
