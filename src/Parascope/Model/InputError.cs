namespace Parascope.Model;

/// <summary>
/// Bad input a user can cause (a missing tree, an unreadable rule, baseline or ignore file, no libclang, a shard set
/// that does not fit): one line naming the path and the reason. Every stage reports it as this one type; the CLI
/// prints it as `parascope: MESSAGE` and exits 2. Bugs throw instead.
/// </summary>
public sealed record InputError(string Message)
{
    public override string ToString() => Message;
}

/// <summary>A value, or the <see cref="InputError"/> that kept it from being made.</summary>
public readonly record struct Checked<T>(T? Value, InputError? Error)
{
    public static implicit operator Checked<T>(InputError error) => new(default, error);

    public static Checked<T> Of(T value) => new(value, null);
}
