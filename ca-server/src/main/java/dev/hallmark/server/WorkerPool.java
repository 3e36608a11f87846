package dev.hallmark.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The named pool ({@code hallmark-worker-N}) that runs every blocking step: JDBC, the token, the ledger. A plain
 * {@link ThreadPoolExecutor} rather than a Vert.x worker executor, because Vert.x interrupts a worker thread when it
 * cancels the task of a closed connection or context, and an interrupt closes the NIO file channel under an H2 file
 * database (every later statement then fails until restart). Nothing interrupts these threads; results return to
 * the caller's Vert.x context. The queue is bounded: when it is full the work is refused (the request gets 503)
 * instead of queueing without limit.
 */
final class WorkerPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final Vertx vertx;

    WorkerPool(Vertx vertx, int threads, int queue, MeterRegistry registry) {
        this.vertx = vertx;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "hallmark-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), factory,
                new ThreadPoolExecutor.AbortPolicy());
        // Pool size, active threads, queue depth and completed tasks (hallmark_executor_*{name="hallmark-worker"}).
        new ExecutorServiceMetrics(executor, "hallmark-worker", java.util.List.of()).bindTo(registry);
    }

    /**
     * Runs {@code work} on the pool; the future completes on the calling Vert.x context (or on a Vert.x thread when
     * called from outside one).
     */
    <T> Future<T> submit(Callable<T> work) {
        Context context = vertx.getOrCreateContext();
        Promise<T> promise = Promise.promise();
        try {
            executor.execute(() -> {
                T result;
                try {
                    result = work.call();
                } catch (Throwable t) {
                    context.runOnContext(v -> promise.fail(t));
                    return;
                }
                context.runOnContext(v -> promise.complete(result));
            });
        } catch (RejectedExecutionException e) {
            promise.fail(new Overloaded(e));
        }
        return promise.future();
    }

    /** The pool is saturated (or shut down): the work was not started. */
    static final class Overloaded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overloaded(Throwable cause) {
            super("the worker pool is saturated", cause);
        }
    }

    /** Lets running work finish (bounded by {@code millis}), refuses new work. */
    void close(long millis) {
        executor.shutdown();
        try {
            executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(10_000);
    }
}
