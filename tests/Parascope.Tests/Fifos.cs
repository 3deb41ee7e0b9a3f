namespace Parascope.Tests;

/// <summary>Named pipes for tests of inputs that are not regular files (opening one for reading blocks until a writer comes).</summary>
public static class Fifos
{
    /// <summary>Creates a FIFO at PATH (mode 0644); false when the system refused.</summary>
    public static bool Make(string path) => MakeFifo(path, 0x1a4) == 0;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, uint mode);
}
