package dev.hallmark.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * SIGTERM and SIGINT handling for {@code serve}: the signal only releases the main thread, which drains the server
 * and closes the database before the JVM's shutdown hooks run (H2 closes its file database in one). Uses
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}, present on every JDK 17+) reflectively, so the build does
 * not depend on an internal API.
 */
final class Signals {
    private Signals() {
    }

    /**
     * Runs {@code action} on SIGTERM and SIGINT instead of the JVM's default (immediate shutdown).
     *
     * @return false when the signal API is not available
     */
    static boolean onTermination(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "hallmark termination handler";
                    });
            Method handle = signal.getMethod("handle", signal, handlerType);
            for (String name : List.of("TERM", "INT")) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
