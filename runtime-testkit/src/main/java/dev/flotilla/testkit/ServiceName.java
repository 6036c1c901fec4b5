package dev.flotilla.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the service a test-method parameter refers to. On a contract interface it injects a typed client of that
 * service; on {@link dev.flotilla.core.ServiceHandle}, the service's handle; on {@link Faults}, its faults.
 *
 * <pre>{@code
 * @Test
 * void placesAnOrder(@ServiceName("order-service") OrderApi orders, @ServiceName("inventory-service") Faults faults) {
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ServiceName {
    /**
     * The service's name.
     *
     * @return the name
     */
    String value();
}
