package carerixemu

import "strings"

// Word lists for the seed generator: common Dutch names and places. Only
// example.nl / example.com e-mail domains are generated.

var seedFirstNames = []string{
	"Jan", "Pieter", "Sanne", "Emma", "Daan", "Lotte", "Sem", "Julia", "Lucas", "Anna",
	"Noah", "Tess", "Finn", "Sophie", "Milan", "Fleur", "Levi", "Eva", "Thijs", "Lisa",
	"Bram", "Anouk", "Ruben", "Iris", "Mohammed", "Fatima", "Yusuf", "Aylin", "Kees", "Marieke",
	"Joost", "Femke", "Wouter", "Ilse", "Gert-Jan", "Noor", "Stijn", "Maud", "Jesse", "Roos",
}

// seedLastNames pairs a tussenvoegsel (lastNamePrefix) with a surname.
var seedLastNames = []struct{ prefix, name string }{
	{"", "Jansen"}, {"de", "Vries"}, {"van", "Dijk"}, {"", "Bakker"}, {"van der", "Berg"},
	{"", "Visser"}, {"de", "Jong"}, {"", "Smit"}, {"van den", "Bosch"}, {"", "Meijer"},
	{"", "Mulder"}, {"de", "Boer"}, {"", "Bos"}, {"van", "Leeuwen"}, {"", "Vos"},
	{"", "Peters"}, {"", "Hendriks"}, {"van der", "Linden"}, {"", "Dekker"}, {"ter", "Horst"},
	{"", "Kok"}, {"van", "Beek"}, {"", "Yılmaz"}, {"", "El Amrani"}, {"in 't", "Veld"},
	{"van 't", "Hof"}, {"", "Koster"}, {"van der", "Meer"}, {"de", "Graaf"}, {"", "Wouters"},
}

var seedCities = []string{
	"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
	"Almere", "Breda", "Nijmegen", "Haarlem", "Arnhem", "Zwolle", "Leeuwarden", "Maastricht",
	"Delft", "Leiden", "Amersfoort", "Apeldoorn", "Enschede",
}

var seedJobTitles = []string{
	"Magazijnmedewerker", "Heftruckchauffeur", "Verpleegkundige", "Administratief medewerker",
	"Klantenservicemedewerker", "Productiemedewerker", "Monteur", "Software developer",
	"Orderpicker", "Chauffeur CE", "Receptionist(e)", "Financieel administrateur",
	"Schoonmaakmedewerker", "Teamleider logistiek", "Planner", "Servicemonteur",
}

var seedCompanies = []string{
	"Bakkerij de Molen B.V.", "Logistiek Noord B.V.", "Zorggroep Het Anker", "Techniek & Co",
	"Distributiecentrum Midden", "Van Dalen Installaties", "Stichting Welzijn Oost",
	"Haven Services Rotterdam", "Groen & Zo Hoveniers", "DataWerk B.V.",
}

var seedAreaCodes = []string{"020", "010", "070", "030", "040", "050", "013", "076"}

// seedNote is a realistic candidate note.
var seedNotes = []string{
	"Telefonisch gesproken, beschikbaar vanaf maandag.",
	"Heeft rijbewijs B en C. Voorkeur voor dagdienst.",
	"Wil maximaal 32 uur per week werken.",
	"Eerder via ons geplaatst bij een logistieke klant.",
	"Spreekt Nederlands, Engels en Turks.",
}

// seedLongText returns n+ characters of readable filler.
func seedLongText(n int) string {
	const para = "Kandidaat heeft uitgebreide ervaring in logistiek en productie, werkt graag in teamverband en is flexibel inzetbaar in ploegendiensten. "
	return strings.Repeat(para, n/len(para)+1)
}
