package dev.flotilla.core.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;

/**
 * Flotilla's one JSON configuration, for servers, clients and problem bodies. Not API: may change without notice.
 *
 * <p>Readers are tolerant of what a contract may grow: unknown properties are ignored, so adding a field to a response
 * or an event never breaks an older consumer. They are strict about what the contract says a value is: no scalar is
 * coerced into another (a number or boolean is not a string, {@code 1.5} is not an integer), and a primitive field
 * that is missing or {@code null} is refused instead of read as {@code 0}, so what a service accepts is what its
 * published schema admits. Dates are ISO-8601 text.
 */
public final class JsonMapping {
    private JsonMapping() {
    }

    /**
     * A new object mapper with Flotilla's settings.
     *
     * @return the mapper
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .addModule(new ParameterNamesModule())
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // ALLOW_COERCION_OF_SCALARS does not cover text: a number or boolean read as a String is refused here.
                .withCoercionConfig(LogicalType.Textual, text -> text
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }

    /**
     * A Helidon media context that reads and writes JSON with the given mapper (other media types as Helidon does).
     *
     * @param mapper the mapper
     * @return the media context
     */
    public static MediaContext mediaContext(ObjectMapper mapper) {
        return MediaContext.builder()
                .addMediaSupport(JacksonSupport.create(mapper))
                .build();
    }
}
