using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>A file as libclang knows it inside one translation unit; equal handles are the same file.</summary>
public readonly struct ClangFile : IEquatable<ClangFile>
{
    internal readonly CXFile Handle;
    internal ClangFile(CXFile handle) => Handle = handle;

    public bool IsNull => Handle.Handle == 0;
    public string Name => IsNull ? string.Empty : ClangString.Take(clang.clang_getFileName(Handle));

    public bool Equals(ClangFile other) => Handle.Handle == other.Handle.Handle;
    public override bool Equals(object? obj) => obj is ClangFile other && Equals(other);
    public override int GetHashCode() => Handle.Handle.GetHashCode();
    public static bool operator ==(ClangFile a, ClangFile b) => a.Equals(b);
    public static bool operator !=(ClangFile a, ClangFile b) => !a.Equals(b);
}

/// <summary>A resolved position: file, 1-based line and column, 0-based byte offset.</summary>
public readonly record struct SourcePosition(ClangFile File, int Line, int Column, int Offset)
{
    public bool IsValid => !File.IsNull;
}
