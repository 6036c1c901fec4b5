package dev.flotilla.resilience;

import java.util.function.IntFunction;

import dev.failsafe.spi.PolicyExecutor;

/**
 * The executor of a Flotilla policy whose executor keeps no state of its own (each call's state lives in the function
 * it returns): Failsafe asks a policy for an executor on every call, and one executor serves every call made with the
 * same policy index, so it is made again only when the index changes. Thread-safe: at worst two racing calls each
 * make one.
 */
final class SharedExecutor {
    private volatile PolicyExecutor<Object> last;

    /**
     * The executor for {@code policyIndex}: the last one made if it has that index, else a new one.
     *
     * @param policyIndex the index Failsafe asks for
     * @param make        makes an executor for an index
     * @return the executor
     */
    PolicyExecutor<Object> get(int policyIndex, IntFunction<PolicyExecutor<Object>> make) {
        PolicyExecutor<Object> executor = last;
        if (executor == null || executor.getPolicyIndex() != policyIndex) {
            executor = make.apply(policyIndex);
            last = executor;
        }
        return executor;
    }
}
