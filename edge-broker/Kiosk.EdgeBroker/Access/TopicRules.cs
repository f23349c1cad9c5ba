namespace Kiosk.EdgeBroker.Access;

/// <summary>
/// Pure MQTT topic arithmetic: validating topic names and filters, matching a topic against a filter, and deciding
/// whether every topic one filter can match is also matched by another (used to allow "exact sub-filters" of a grant).
/// </summary>
public static class TopicRules
{
    public const char LevelSeparator = '/';
    public const string SingleLevelWildcard = "+";
    public const string MultiLevelWildcard = "#";

    /// <summary>
    /// A topic name a client may publish to. Stricter than the MQTT spec on purpose: every topic in our contract is a
    /// fixed tree of non-empty, printable levels, so empty levels, "." / "..", control characters and "$" topics are
    /// refused as likely tricks rather than passed to consumers that might treat them as paths.
    /// </summary>
    public static bool IsValidTopicName(string? topic)
    {
        if (!HasAcceptableShape(topic))
        {
            return false;
        }

        foreach (string level in topic!.Split(LevelSeparator))
        {
            if (!IsPlainLevel(level))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A subscription filter: plain levels, "+" as a whole level, "#" only as the whole last level.</summary>
    public static bool IsValidFilter(string? filter)
    {
        if (!HasAcceptableShape(filter))
        {
            return false;
        }

        string[] levels = filter!.Split(LevelSeparator);
        for (int index = 0; index < levels.Length; index++)
        {
            string level = levels[index];
            if (level == MultiLevelWildcard)
            {
                if (index != levels.Length - 1)
                {
                    return false;
                }
            }
            else if (level != SingleLevelWildcard && !IsPlainLevel(level))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Does <paramref name="topic"/> match <paramref name="filter"/> (MQTT 5 §4.7 semantics)?</summary>
    public static bool Matches(string filter, string topic)
    {
        string[] filterLevels = filter.Split(LevelSeparator);
        string[] topicLevels = topic.Split(LevelSeparator);

        // MQTT 5 §4.7.2: a filter starting with a wildcard never matches a topic starting with '$'.
        if (topic.StartsWith('$') && (filterLevels[0] == SingleLevelWildcard || filterLevels[0] == MultiLevelWildcard))
        {
            return false;
        }

        for (int index = 0; index < filterLevels.Length; index++)
        {
            string filterLevel = filterLevels[index];
            if (filterLevel == MultiLevelWildcard)
            {
                // '#' also matches the parent level itself: "a/#" matches "a".
                return true;
            }

            if (index >= topicLevels.Length)
            {
                return false;
            }

            if (filterLevel != SingleLevelWildcard && filterLevel != topicLevels[index])
            {
                return false;
            }
        }

        return filterLevels.Length == topicLevels.Length;
    }

    /// <summary>
    /// True when every topic that <paramref name="innerFilter"/> can match is also matched by
    /// <paramref name="outerFilter"/>. "kiosk/v1/d/cmd/apdu" and "kiosk/v1/d/cmd/+" are within "kiosk/v1/d/cmd/#";
    /// "kiosk/v1/+/cmd/#" is not within "kiosk/v1/d/cmd/#" because '+' also stands for other devices.
    /// </summary>
    public static bool IsWithin(string innerFilter, string outerFilter)
    {
        string[] inner = innerFilter.Split(LevelSeparator);
        string[] outer = outerFilter.Split(LevelSeparator);

        for (int index = 0; index < outer.Length; index++)
        {
            string outerLevel = outer[index];
            if (outerLevel == MultiLevelWildcard)
            {
                // Everything from here on, including the parent level, is covered. ('$' topics cannot differ: neither
                // filter may start with '$', see HasAcceptableShape.)
                return true;
            }

            if (index >= inner.Length)
            {
                // The inner filter is shorter: it matches a topic the outer cannot.
                return false;
            }

            string innerLevel = inner[index];
            if (innerLevel == MultiLevelWildcard)
            {
                // The inner filter matches any depth here but the outer continues with a fixed level.
                return false;
            }

            if (outerLevel == SingleLevelWildcard)
            {
                continue;
            }

            if (innerLevel == SingleLevelWildcard || innerLevel != outerLevel)
            {
                return false;
            }
        }

        // The outer filter ended without '#': the inner must end at the same depth.
        return inner.Length == outer.Length;
    }

    static bool HasAcceptableShape(string? text) =>
        !string.IsNullOrEmpty(text) && text.Length <= 1024 && !text.StartsWith('$');

    static bool IsPlainLevel(string level)
    {
        if (level.Length == 0 || level == "." || level == "..")
        {
            return false;
        }

        foreach (char character in level)
        {
            if (character == '+' || character == '#' || char.IsControl(character))
            {
                return false;
            }
        }

        return true;
    }
}
