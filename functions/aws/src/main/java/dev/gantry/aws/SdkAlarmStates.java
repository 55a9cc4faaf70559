package dev.gantry.aws;

import dev.gantry.core.gate.AlarmStates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CompositeAlarm;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsRequest;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/** {@link AlarmStates} over CloudWatch DescribeAlarms, metric and composite alarms alike. */
public final class SdkAlarmStates implements AlarmStates {

    /** DescribeAlarms takes at most 100 names per request, and returns at most 100 alarms per page. */
    static final int MAX_NAMES_PER_REQUEST = 100;

    private final CloudWatchClient cloudWatch;

    public SdkAlarmStates(CloudWatchClient cloudWatch) {
        this.cloudWatch = cloudWatch;
    }

    @Override
    public List<AlarmState> describe(List<String> names, List<String> prefixes) {
        Map<String, AlarmState> byName = new LinkedHashMap<>();
        // DescribeAlarms refuses AlarmNames together with AlarmNamePrefix, so names and each prefix are separate questions.
        for (List<String> batch : batches(names.stream().distinct().toList())) {
            collect(request().alarmNames(batch).build(), "alarms " + listed(batch), byName);
        }
        for (String prefix : prefixes.stream().distinct().toList()) {
            collect(request().alarmNamePrefix(prefix).build(), "alarm name prefix " + prefix, byName);
        }
        return List.copyOf(byName.values());
    }

    private static DescribeAlarmsRequest.Builder request() {
        // Without AlarmTypes CloudWatch answers with metric alarms only, and a gate on a composite alarm would see nothing.
        return DescribeAlarmsRequest.builder()
                .alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM)
                .maxRecords(MAX_NAMES_PER_REQUEST);
    }

    private void collect(DescribeAlarmsRequest request, String asked, Map<String, AlarmState> byName) {
        try {
            for (DescribeAlarmsResponse page : cloudWatch.describeAlarmsPaginator(request)) {
                for (MetricAlarm alarm : page.metricAlarms()) {
                    byName.putIfAbsent(alarm.alarmName(), new AlarmState(alarm.alarmName(),
                            state(alarm.alarmName(), alarm.stateValue(), alarm.stateValueAsString()), alarm.stateReason(),
                            changedAt(alarm.stateTransitionedTimestamp(), alarm.stateUpdatedTimestamp()), false));
                }
                for (CompositeAlarm alarm : page.compositeAlarms()) {
                    byName.putIfAbsent(alarm.alarmName(), new AlarmState(alarm.alarmName(),
                            state(alarm.alarmName(), alarm.stateValue(), alarm.stateValueAsString()), alarm.stateReason(),
                            changedAt(alarm.stateTransitionedTimestamp(), alarm.stateUpdatedTimestamp()), true));
                }
            }
        } catch (AwsServiceException e) {
            throw new AlarmStatesException("CloudWatch DescribeAlarms for " + asked + " was refused: " + AwsErrors.refusal(e), e);
        } catch (SdkException e) {
            throw new AlarmStatesException("CloudWatch DescribeAlarms for " + asked + " failed: " + e.getMessage(), e);
        }
    }

    /** A state this SDK does not know cannot be judged; failing makes the gate wait instead of guessing. */
    private static State state(String alarm, StateValue value, String raw) {
        return switch (value) {
            case OK -> State.OK;
            case ALARM -> State.ALARM;
            case INSUFFICIENT_DATA -> State.INSUFFICIENT_DATA;
            case null, default -> throw new AlarmStatesException("CloudWatch alarm " + alarm + " is in state " + raw
                    + ", which Gantry does not know", null);
        };
    }

    /**
     * StateUpdatedTimestamp also moves when only the evaluation state changes; StateTransitionedTimestamp is the last change
     * of state proper, but older alarms may lack it.
     */
    private static Instant changedAt(Instant transitioned, Instant updated) {
        return transitioned != null ? transitioned : updated;
    }

    /** Names enough of a batch to find it in the configuration, without a message the length of a hundred names. */
    private static String listed(List<String> batch) {
        int shown = 3;
        String first = String.join(", ", batch.subList(0, Math.min(shown, batch.size())));
        return batch.size() <= shown ? first : first + " and " + (batch.size() - shown) + " more";
    }

    private static List<List<String>> batches(List<String> names) {
        List<List<String>> batches = new ArrayList<>();
        for (int from = 0; from < names.size(); from += MAX_NAMES_PER_REQUEST) {
            batches.add(names.subList(from, Math.min(from + MAX_NAMES_PER_REQUEST, names.size())));
        }
        return batches;
    }
}
