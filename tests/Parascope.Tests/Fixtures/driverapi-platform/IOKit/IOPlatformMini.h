/*
 * driverapi fixture: the platform side of a small IOKit-like hierarchy (platform expert, interrupt
 * controller, system mapper, physical-memory helpers). Original code written for Parascope's tests.
 */
#ifndef _FIXTURE_IOPLATFORM_MINI_H
#define _FIXTURE_IOPLATFORM_MINI_H

typedef unsigned long long IOPhysicalAddress64;
typedef unsigned long long IOVirtualAddress;
typedef unsigned long long IOByteCount;
typedef unsigned long long ppnum_t;
typedef int IOReturn;
typedef unsigned int UInt32;
typedef unsigned short UInt16;
typedef unsigned char UInt8;

class OSObject {
public:
	virtual ~OSObject() {}
};

class OSSymbol : public OSObject {
public:
	static const OSSymbol *withCString(const char *name);
};

class IOPlatformExpert;

class IOService : public OSObject {
public:
	virtual bool start(IOService *provider);
	virtual IOPlatformExpert *getPlatform(void);
	virtual IOReturn callPlatformFunction(const OSSymbol *functionName, bool waitForFunction,
	    void *param1, void *param2, void *param3, void *param4);
	virtual IOService *getProvider() const;
};

class IOPlatformExpert : public IOService {
public:
	virtual bool configure(IOService *provider);
	virtual long getBootROMType(void);
	virtual IOReturn haltRestart(unsigned int type);
};

class IOPlatformDevice : public IOService {
public:
	virtual bool compareName(const char *name) const;
};

class IOInterruptController : public IOService {
public:
	virtual IOReturn registerInterrupt(IOService *nub, int source, void *target, void *handler, void *refCon);
	virtual IOReturn enableInterrupt(IOService *nub, int source);
	virtual IOReturn causeInterrupt(IOService *nub, int source);
};

class IOMapper : public IOService {
public:
	static IOMapper *gSystem;
	static void checkForSystemMapper(void);
	virtual ppnum_t iovmMapMemory(OSObject *memory, IOByteCount offset, IOByteCount length);
};

/* The physical-memory helpers of IOLib. */
extern "C" {
UInt32 IOMappedRead32(IOPhysicalAddress64 address);
void IOMappedWrite16(IOPhysicalAddress64 address, UInt16 value);
IOReturn IOMapPages(void *map, IOVirtualAddress va, IOPhysicalAddress64 pa, IOByteCount length, unsigned int options);
IOReturn IOUnmapPages(void *map, IOVirtualAddress va, IOByteCount length);
}

/* An unrelated class whose methods share IOKit's names: never a driver-api finding. */
class FixtureBoard {
public:
	IOPlatformExpert *getPlatform(void) { return 0; }
	IOReturn causeInterrupt(IOService *nub, int source) { return nub ? source : 0; }
};

#endif
