/*
 * driverapi fixture: a board driver that talks to the platform expert, the interrupt controller and the
 * system mapper. Original code written for Parascope's tests.
 */
#include <IOKit/IOPlatformMini.h>

class FixtureBoardDriver : public IOService {
public:
	bool start(IOService *provider) override;
	IOReturn quiesce(IOInterruptController *controller, int source);
};

class FixtureBoardExpert : public IOPlatformExpert {
public:
	bool configure(IOService *provider) override;
};

bool
FixtureBoardDriver::start(IOService *provider)
{
	FixtureBoard board;
	IOPlatformExpert *platform = getPlatform(); // expect: driver-api.platform-expert
	const OSSymbol *function = OSSymbol::withCString("fixture_board_power");

	(void)board.getPlatform(); // ok: driver-api.platform-expert
	if (platform == 0 || platform->getBootROMType() != 1) { // expect: driver-api.platform-expert
		return false;
	}
	(void)callPlatformFunction(function, false, 0, 0, 0, 0); // expect: driver-api.platform-expert
	if (IOMapper::gSystem != 0) {
		(void)IOMapper::gSystem->iovmMapMemory(0, 0, 4096); // expect: driver-api.iomapper
	}
	IOMapper::checkForSystemMapper(); // expect: driver-api.iomapper
	return IOService::start(provider);
}

IOReturn
FixtureBoardDriver::quiesce(IOInterruptController *controller, int source)
{
	FixtureBoard board;

	(void)board.causeInterrupt(this, source); // ok: driver-api.interrupt-controller
	return controller->enableInterrupt(this, source); // expect: driver-api.interrupt-controller
}

bool
FixtureBoardExpert::configure(IOService *provider)
{
	UInt32 id = IOMappedRead32(0xfec00000ULL); // expect: driver-api.phys-access
	IOMappedWrite16(0xfec00010ULL, (UInt16)id); // expect: driver-api.phys-access
	if (IOMapPages(0, 0x1000, 0xfee00000ULL, 4096, 0) != 0) { // expect: driver-api.phys-access
		return false;
	}
	(void)IOUnmapPages(0, 0x1000, 4096); // expect: driver-api.phys-access
	return provider != 0;
}
